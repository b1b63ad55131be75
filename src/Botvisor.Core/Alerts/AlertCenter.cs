using Botvisor.Core.State;
using Botvisor.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Alerts;

/// <summary>
/// The alert engine's shell: it reads every stored event (<see cref="StoreWriter.EventsStored"/>), feeds
/// what <see cref="AlertClassifier"/> finds to the <see cref="AlertEngine"/>, asks it once a second what
/// is due, and hands each notification to every channel at once. Each delivery is an <c>alert</c> event.
/// Silences come from the admin bot, the API and the CLI.
/// </summary>
public sealed partial class AlertCenter : IAsyncDisposable
{
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    private readonly AlertEngine _engine;
    private readonly IReadOnlyList<IAlertChannel> _channels;
    private readonly StoreWriter _writer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _delivering = new(1, 1);
    private ITimer? _timer;
    private Task _lastDelivery = Task.CompletedTask;

    private readonly SilenceFile? _silenceFile;

    public AlertCenter(AlertTimings timings, IEnumerable<IAlertChannel> channels, StoreWriter writer, TimeProvider time, ILogger<AlertCenter> logger, SilenceFile? silenceFile = null)
    {
        _engine = new AlertEngine(timings);
        _silenceFile = silenceFile;
        _channels = channels.ToList();
        _writer = writer;
        _time = time;
        _logger = logger;
    }

    public AlertTimings Timings => _engine.Timings;

    public IReadOnlyList<IAlertChannel> Channels => _channels;

    public void Start()
    {
        if (_silenceFile is not null)
        {
            var silences = _silenceFile.Load(_time.GetUtcNow(), out var problem);
            foreach (var silence in silences) _engine.Mute(silence);
            if (problem is not null) Log.SilencesUnreadable(_logger, problem);
        }
        _writer.EventsStored += Observe;
        _timer = _time.CreateTimer(static s => ((AlertCenter)s!).OnTick(), this, Tick, Tick);
    }

    public void Observe(IReadOnlyList<BotEvent> events)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            foreach (var e in events)
            {
                foreach (var signal in AlertClassifier.Classify(e)) _engine.Observe(signal, now);
            }
        }
    }

    public IReadOnlyList<AlertNotice> Open
    {
        get
        {
            lock (_gate) return _engine.Open;
        }
    }

    public IReadOnlyList<Silence> Silences
    {
        get
        {
            lock (_gate) return _engine.Silences(_time.GetUtcNow());
        }
    }

    public Silence Mute(string target, AlertKind? kind, TimeSpan duration, string by)
    {
        var silence = new Silence(target, kind, _time.GetUtcNow() + duration, by);
        lock (_gate)
        {
            _engine.Mute(silence);
            SaveSilences();
        }
        Record($"{by}: mute {silence.Describe()} for {Configuration.DurationParser.Format(duration)}: ok", target == Silence.AnySubject ? null : target, by, BotEventKinds.Audit);
        return silence;
    }

    public int Unmute(string target, AlertKind? kind, string by)
    {
        int n;
        lock (_gate)
        {
            n = _engine.Unmute(target, kind);
            if (n > 0) SaveSilences();
        }
        if (n > 0) Record($"{by}: unmute {new Silence(target, kind, default, by).Describe()}: ok", target == Silence.AnySubject ? null : target, by, BotEventKinds.Audit);
        return n;
    }

    /// <summary>Writes the silences in force (under the gate); a failure is logged, the silence holds in memory.</summary>
    private void SaveSilences()
    {
        if (_silenceFile is null) return;
        try
        {
            _silenceFile.Save(_engine.Silences(_time.GetUtcNow()));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SilencesUnwritable(_logger, _silenceFile.Path, ex.Message);
        }
    }

    private void OnTick()
    {
        if (_stopping.IsCancellationRequested || !_delivering.Wait(0)) return; // one delivery at a time; the next tick asks again
        AlertBatch? batch;
        try
        {
            lock (_gate) batch = _engine.Flush(_time.GetUtcNow());
        }
        catch
        {
            _delivering.Release();
            throw;
        }
        if (batch is null)
        {
            _delivering.Release();
            return;
        }
        _lastDelivery = DeliverAsync(batch);
    }

    private async Task DeliverAsync(AlertBatch batch)
    {
        try
        {
            var summary = AlertText.Summary(batch);
            var results = await Task.WhenAll(_channels.Select(async c => (Channel: c, Failure: await SafeDeliverAsync(c, batch).ConfigureAwait(false)))).ConfigureAwait(false);
            var told = results.Where(r => r.Failure is null).Select(r => r.Channel.Name).ToList();
            foreach (var (channel, failure) in results.Where(r => r.Failure is not null))
            {
                Log.DeliveryFailed(_logger, channel.Name, summary, failure!);
                Record($"alert not delivered to {channel.Name}: {failure} ({summary})", null, "daemon");
            }
            if (_channels.Count == 0) return;
            Log.Sent(_logger, summary, told.Count == 0 ? "nobody" : string.Join(", ", told));
            if (told.Count > 0) Record($"alert sent to {string.Join(", ", told)}: {summary}", batch.Count == 1 ? Single(batch).Key.Subject : null, "daemon");
        }
        finally
        {
            _delivering.Release();
        }
    }

    private static AlertNotice Single(AlertBatch b) => b.Firing.Concat(b.Repeated).Concat(b.Resolved).Single();

    private async Task<string?> SafeDeliverAsync(IAlertChannel channel, AlertBatch batch)
    {
        try
        {
            return await channel.DeliverAsync(batch, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return "the daemon is stopping";
        }
        catch (Exception ex)
        {
            return ex.Message;
        }
    }

    private void Record(string message, string? botId, string actor, string kind = BotEventKinds.Alert) => _writer.Record(new BotEvent
    {
        Time = _time.GetUtcNow(),
        Kind = kind,
        BotId = botId,
        Actor = actor,
        Message = message,
    });

    private int _disposed;

    /// <summary>Stops it; the hosted service and the container both call this, so only the first call does anything.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _writer.EventsStored -= Observe;
        if (_timer is not null) await _timer.DisposeAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _lastDelivery.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = Diagnostics.LogEventIds.AlertSent, Level = LogLevel.Information, Message = "Alert: {Summary} (told {Channels})")]
        public static partial void Sent(ILogger logger, string summary, string channels);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.AlertDeliveryFailed, Level = LogLevel.Warning, Message = "Alert not delivered to {Channel}: {Reason} ({Summary})")]
        public static partial void DeliveryFailed(ILogger logger, string channel, string summary, string reason);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.SilencesUnreadable, Level = LogLevel.Warning, Message = "Silences: {Problem}")]
        public static partial void SilencesUnreadable(ILogger logger, string problem);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.SilencesUnwritable, Level = LogLevel.Warning, Message = "Silences could not be written to {Path} ({Reason}); they hold until the daemon stops")]
        public static partial void SilencesUnwritable(ILogger logger, string path, string reason);
    }
}
