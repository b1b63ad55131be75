using Botvisor.Core.Health;

namespace Botvisor.Core.Gateway;

/// <summary>
/// Watches one run's liveness (<c>liveness.max_poll_gap</c>) on the fleet's <see cref="CheckScheduler"/>
/// (one timer for every check) and reports once when the bot stopped taking its updates.
/// A polling bot is judged by its getUpdates (<see cref="PollGap"/>); before it is reported, Telegram is
/// asked whether the bot has a webhook (set by an earlier run, or outside the gateway), and a bot that does
/// is not restarted for not polling. A webhook bot is judged by what getWebhookInfo says
/// (<see cref="WebhookBacklog"/>), asked at most twice per gap; when Telegram cannot be asked, nothing is concluded.
/// </summary>
internal sealed class LivenessWatch : IDisposable
{
    /// <summary>getWebhookInfo is asked no more often than this, whatever the gap.</summary>
    public static readonly TimeSpan MinimumLookInterval = TimeSpan.FromSeconds(1);

    private readonly GatewayRun _run;
    private readonly TimeSpan _maxGap;
    private readonly TimeSpan _lookEvery;
    private readonly CheckScheduler _checks;
    private readonly IWebhookInfoSource? _webhooks;
    private readonly TimeProvider _time;
    private readonly Action<string> _stopped;
    private readonly WebhookBacklog _backlog = new();
    private readonly Lock _lock = new();
    private IDisposable? _next;
    private bool _disposed;

    public LivenessWatch(GatewayRun run, TimeSpan maxGap, CheckScheduler checks, IWebhookInfoSource? webhooks, TimeProvider time, Action<string> stopped)
    {
        _run = run;
        _maxGap = maxGap;
        _lookEvery = maxGap / 2 > MinimumLookInterval ? maxGap / 2 : MinimumLookInterval;
        _checks = checks;
        _webhooks = webhooks;
        _time = time;
        _stopped = stopped;
        Arm(run.Bot.TakesWebhook && webhooks is not null ? _lookEvery : maxGap);
    }

    private void Arm(TimeSpan after)
    {
        lock (_lock)
        {
            if (!_disposed) _next = _checks.Schedule(after, () => _ = LookAsync());
        }
    }

    private async Task LookAsync()
    {
        if (_run.Bot.TakesWebhook && _webhooks is not null)
        {
            await LookAtWebhookAsync().ConfigureAwait(false);
            return;
        }
        var (since, inFlight) = _run.PollActivity;
        var (stopped, again) = PollGap.Check(since, inFlight, _maxGap);
        if (stopped is null)
        {
            Arm(again);
            return;
        }
        if (await AskAsync().ConfigureAwait(false) is { IsSet: true } info)
        {
            _run.Bot.WebhookSet(); // it never polled here: Telegram delivers its updates to a webhook
            Judge(info);
            return;
        }
        Report(stopped);
    }

    private async Task LookAtWebhookAsync()
    {
        var info = await AskAsync().ConfigureAwait(false);
        if (info is null)
        {
            Arm(_lookEvery); // Telegram could not be asked: that says nothing of the bot
            return;
        }
        if (!info.IsSet)
        {
            _run.Bot.WebhookDeleted(); // deleted outside the gateway: judged by its polls again, from now
            _run.RestartPollClock();
            Arm(_maxGap);
            return;
        }
        Judge(info);
    }

    private void Judge(WebhookInfo info)
    {
        if (_backlog.Observe(info, _time.GetUtcNow(), _run.Bot.Stats.LastCall, _maxGap) is { } stopped) Report(stopped);
        else Arm(_lookEvery);
    }

    private async Task<WebhookInfo?> AskAsync()
    {
        if (_webhooks is null || !_run.IsLive) return null;
        try
        {
            return await _webhooks.GetAsync(_run, _run.Ended).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            return null; // the run ended, or the daemon is stopping: nothing is concluded
        }
    }

    private void Report(string stopped)
    {
        lock (_lock)
        {
            if (_disposed) return;
        }
        _stopped(stopped);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _next?.Dispose();
        }
    }
}
