using Botvisor.Core.Supervision;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Cluster;

/// <summary>
/// The self-fencing thread: ten times a second it looks at every held lease's standing (<see cref="LeaseDeadline"/>)
/// and acts at once: past the renew deadline the bot's gate closes (its worker is stopped); past the kill point
/// its group is killed. A dedicated thread, not a timer: after a freeze (SIGSTOP, a paused VM) it runs within
/// 100 ms, before a thread pool that may be busy with what piled up.
/// </summary>
internal sealed partial class FenceWatch : IDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);

    private readonly LocalLeases _leases;
    private readonly Func<string, BotSupervisor?> _find;
    private readonly Action<string, long, bool> _fenced;
    private readonly ILogger _logger;
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;

    /// <summary>(bot, renewal) pairs already acted on, so each fence is acted on once per renewal.</summary>
    private readonly HashSet<(string, long)> _closed = [];
    private readonly HashSet<(string, long)> _killed = [];

    public FenceWatch(LocalLeases leases, Func<string, BotSupervisor?> find, Action<string, long, bool> fenced, ILogger logger)
    {
        _leases = leases;
        _find = find;
        _fenced = fenced;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "botvisor-fence" };
        _thread.Start();
    }

    private void Run()
    {
        while (!_stop.Wait(Period))
        {
            try
            {
                Check();
            }
            catch (Exception ex)
            {
                FailedRound(_logger, ex);
            }
        }
    }

    /// <summary>One look at every held lease (the thread's round; public for tests through the coordinator).</summary>
    internal void Check()
    {
        var held = _leases.Snapshot();
        foreach (var (bot, entry) in held)
        {
            var standing = _leases.StandingOf(entry);
            if (standing == LeaseStanding.Valid) continue;
            _leases.EndTenure(bot); // first: the bot's calls in flight through the gateway stop reaching Telegram
            var key = (bot, entry.RenewedAt);
            if (standing == LeaseStanding.Kill && _killed.Add(key))
            {
                var sup = _find(bot);
                sup?.KillWorkerNow();
                sup?.CloseGate($"lease (epoch {entry.Epoch}) may have lapsed: not renewed within the renew deadline");
                _closed.Add(key);
                if (sup?.WorkerPid is not null || !entry.Releasing) _fenced(bot, entry.Epoch, true);
            }
            else if (_closed.Add(key))
            {
                _find(bot)?.CloseGate($"lease (epoch {entry.Epoch}) not renewed within the renew deadline: the node fenced itself");
                _fenced(bot, entry.Epoch, false);
            }
        }
        if (_closed.Count > 4 * (held.Count + 16))
        {
            _closed.RemoveWhere(k => !held.TryGetValue(k.Item1, out var e) || e.RenewedAt != k.Item2);
            _killed.RemoveWhere(k => !held.TryGetValue(k.Item1, out var e) || e.RenewedAt != k.Item2);
        }
    }

    public void Dispose()
    {
        _stop.Set();
        _thread.Join();
        _stop.Dispose();
    }

    [LoggerMessage(EventId = Diagnostics.LogEventIds.FenceWatchFailed, Level = LogLevel.Error, Message = "The fence watch failed a round; it goes on")]
    private static partial void FailedRound(ILogger logger, Exception exception);
}
