using System.Threading.Channels;
using Botvisor.Core.Fleet;
using Botvisor.Core.Reconciliation;
using Botvisor.Core.State;
using Botvisor.Core.Supervision;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Sources.Remote;

/// <summary>
/// One source's fetching: one loop, so fetches of a source never overlap. It fetches at start, then every
/// <c>interval</c> with ±10 % jitter (so a cluster's nodes and many sources do not all ask at once); after a
/// failure it keeps the last good list and retries with backoff (1s doubling, at most the interval). A sync
/// (<c>POST /sources/NAME/sync</c>) or an accept wakes it; requests that arrive during a fetch are served
/// together by the next one. An outage is an event, a warning and a status when it begins and when it ends,
/// not at every retry.
/// </summary>
public sealed partial class RemoteSourceRunner : IAsyncDisposable, IDisposable
{
    private readonly FleetController _controller;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Request> _requests = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RemoteSourceRunner(RemoteFleetSource source, FleetController controller, TimeProvider time, ILogger logger)
    {
        Source = source;
        _controller = controller;
        _time = time;
        _logger = logger;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    public RemoteFleetSource Source { get; }

    /// <summary>
    /// Asks for a fetch now (or, with <paramref name="accept"/>, for the removal <paramref name="accept"/> holds to be
    /// applied: only if it is still the one held) and waits for its outcome.
    /// </summary>
    public async Task<SourceOutcome> RequestAsync(HeldRemoval? accept, CancellationToken cancellationToken)
    {
        var outcome = new TaskCompletionSource<SourceOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_requests.Writer.TryWrite(new Request(accept, outcome))) throw new BotConflictException("the daemon is stopping; nothing was fetched");
        try
        {
            return await outcome.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BotConflictException("the daemon is stopping; nothing was fetched");
        }
    }

    /// <summary>Fetches again soon without anyone waiting (the source's definition changed).</summary>
    public void Wake() => _requests.Writer.TryWrite(new Request(null, null));

    private async Task RunAsync(CancellationToken stop)
    {
        var delay = TimeSpan.Zero;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                Source.Scheduled(_time.GetUtcNow() + delay);
                await WaitAsync(delay, stop).ConfigureAwait(false);
                var waiting = new List<Request>();
                while (_requests.Reader.TryRead(out var request)) waiting.Add(request);

                // Each accept alone (it names the removal it accepts); every sync that came meanwhile shares one fetch.
                foreach (var accept in waiting.Where(r => r.Accept is not null))
                {
                    Complete(accept, await AcceptAsync(accept.Accept!).ConfigureAwait(false));
                }
                var syncs = waiting.Where(r => r.Accept is null).ToList();
                if (syncs.Count > 0 || waiting.Count == 0)
                {
                    var outcome = await FetchAsync(stop).ConfigureAwait(false);
                    foreach (var sync in syncs) Complete(sync, outcome);
                    delay = SourceSchedule.Next(outcome, Source.Config.Interval, Random.Shared.NextDouble());
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            _requests.Writer.TryComplete();
            while (_requests.Reader.TryRead(out var request)) request.Outcome?.TrySetCanceled(CancellationToken.None);
            Source.Scheduled(null);
        }
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken stop)
    {
        if (_requests.Reader.TryPeek(out _)) return;
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var timer = Task.Delay(delay, _time, wake.Token);
        var request = _requests.Reader.WaitToReadAsync(wake.Token).AsTask();
        await Task.WhenAny(timer, request).ConfigureAwait(false);
        wake.Cancel();
        stop.ThrowIfCancellationRequested();
    }

    private static void Complete(Request request, SourceOutcome outcome)
    {
        if (outcome.Conflict is { } conflict) request.Outcome?.TrySetException(new BotConflictException(conflict));
        else request.Outcome?.TrySetResult(outcome);
    }

    private async Task<SourceOutcome> FetchAsync(CancellationToken stop)
    {
        FeedFetch fetch;
        var config = Source.Config;
        try
        {
            fetch = await Source.Fetcher.FetchAsync(config, stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            return Failed(Describe(ex, config));
        }
        if (fetch.Hash == Source.LastHash && Source.Held is null && ReferenceEquals(config, Source.Config))
        {
            return Succeeded(fetch.NotModified ? "not modified (304)" : "unchanged");
        }
        return await TakeInAsync(fetch, null, config).ConfigureAwait(false);
    }

    private async Task<SourceOutcome> AcceptAsync(HeldRemoval expected)
    {
        if (Source.LastFetch is not { } fetch || Source.Held is null) return new SourceOutcome(true, "nothing to accept: no removal is held", Source.Status);
        return await TakeInAsync(fetch, expected, Source.Config).ConfigureAwait(false);
    }

    private async Task<SourceOutcome> TakeInAsync(FeedFetch fetch, HeldRemoval? accept, RemoteSourceConfig config)
    {
        try
        {
            return Succeeded(await _controller.ApplyFetchAsync(Source, fetch, accept is not null, accept).ConfigureAwait(false));
        }
        catch (StaleFetchException)
        {
            return new SourceOutcome(true, "the source's definition changed during the fetch: fetching again", Source.Status) { Stale = true };
        }
        catch (BotConflictException ex)
        {
            return new SourceOutcome(false, ex.Message, Source.Status) { Conflict = ex.Message };
        }
        catch (Storage.StoreUnavailableException ex)
        {
            return Failed($"the list could not be stored ({ex.Message}); nothing was changed");
        }
        catch (Exception ex)
        {
            return Failed(Describe(ex, config));
        }
    }

    /// <summary>A failure in words: a <see cref="FeedException"/>'s message, else the exception's type and message with the source's URL masked and its header values left out.</summary>
    private static string Describe(Exception ex, RemoteSourceConfig config)
    {
        if (ex is FeedException) return ex.Message;
        var text = $"{ex.GetType().Name}: {ex.Message}".Replace(config.Url.AbsoluteUri, config.DisplayUrl, StringComparison.Ordinal)
            .Replace(config.Url.OriginalString, config.DisplayUrl, StringComparison.Ordinal);
        foreach (var value in config.Headers.Values.Select(h => h.Reveal()).Where(v => v.Length > 0))
        {
            text = text.Replace(value, SecretText.Masked, StringComparison.Ordinal);
        }
        return "unexpected error (" + text + ")";
    }

    private SourceOutcome Succeeded(string result)
    {
        int failures = Source.Status.ConsecutiveFailures;
        Source.Succeeded(_time.GetUtcNow(), result);
        if (failures > 0)
        {
            Log.Recovered(_logger, Source.Name, failures);
            _controller.Record(BotEventKinds.Source, $"source '{Source.Name}': fetching works again after {failures} failed attempt(s): {result}", SourceEventStates.Recovered);
        }
        else
        {
            Log.Fetched(_logger, Source.Name, result);
        }
        return new SourceOutcome(true, result, Source.Status);
    }

    private SourceOutcome Failed(string reason)
    {
        int failures = Source.Failed(_time.GetUtcNow(), reason);
        var keeping = Source.Generation > 0
            ? $"keeping the last good list (generation {Source.Generation}, {Source.Current.Bots.Count} bot(s), from {Source.GenerationTime:u})"
            : $"keeping its {Source.Current.Bots.Count} bot(s)";
        if (failures == 1)
        {
            Log.Failing(_logger, Source.Name, reason, keeping);
            _controller.Record(BotEventKinds.Source, $"source '{Source.Name}': fetch failed: {reason}; {keeping}; retrying with backoff", SourceEventStates.Outage);
        }
        else
        {
            Log.FailedAgain(_logger, Source.Name, failures, reason);
        }
        return new SourceOutcome(false, reason, Source.Status);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <param name="Accept">The held removal an accept applies; null: a fetch.</param>
    /// <param name="Outcome">Who waits for it; null: nobody (a wake-up).</param>
    private sealed record Request(HeldRemoval? Accept, TaskCompletionSource<SourceOutcome>? Outcome);

    private static partial class Log
    {
        [LoggerMessage(EventId = Diagnostics.LogEventIds.SourceFetchFailing, Level = LogLevel.Warning, Message = "Source {Source}: fetch failed: {Reason}; {Keeping}; retrying with backoff")]
        public static partial void Failing(ILogger logger, string source, string reason, string keeping);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.SourceFetchRecovered, Level = LogLevel.Information, Message = "Source {Source}: fetching works again after {Failures} failed attempt(s)")]
        public static partial void Recovered(ILogger logger, string source, int failures);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.SourceFetchFailed, Level = LogLevel.Debug, Message = "Source {Source}: fetch failed again ({Failures} in a row): {Reason}")]
        public static partial void FailedAgain(ILogger logger, string source, int failures, string reason);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.SourceFetched, Level = LogLevel.Debug, Message = "Source {Source}: {Result}")]
        public static partial void Fetched(ILogger logger, string source, string result);
    }
}

/// <summary>What one fetch (or accept) of a source gave: whether it worked, its result in words, and the source's status after it.</summary>
public sealed record SourceOutcome(bool Ok, string Result, RemoteSourceStatus Status)
{
    /// <summary>The fetch was read with a definition a reload replaced; it was not applied.</summary>
    public bool Stale { get; init; }

    /// <summary>The request contradicts the source as it is now (an accept of a removal no longer held): the API's 409.</summary>
    public string? Conflict { get; init; }
}
