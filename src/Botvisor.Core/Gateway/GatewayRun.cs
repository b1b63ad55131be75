using Botvisor.Core.Fleet;

namespace Botvisor.Core.Gateway;

/// <summary>
/// One worker run of a gateway bot: the placeholder it was given, the real token and API it stands for,
/// and what the run did (its last getUpdates). It lives from the spawn to the worker's end; then its
/// placeholder is refused and its calls in flight are cancelled.
/// </summary>
public sealed class GatewayRun : IDisposable
{
    private readonly CancellationTokenSource _ended = new();
    private readonly CancellationToken _endedToken;
    private int _over;
    private int _outsidePollerReported;
    private long _epoch = NoEpoch;
    private const long NoEpoch = long.MinValue;
    private readonly TimeProvider _time;
    private long _lastPoll;
    private int _pollsInFlight;

    /// <summary>The epoch of a run spawned while this node did not hold the bot's lease: no lease epoch is ever it.</summary>
    public const long NoLease = long.MinValue + 1;

    internal GatewayRun(GatewayBot bot, GatewayLine line, string placeholder, BotToken token, string apiBaseUrl, TimeSpan? maxPollGap, TimeProvider time)
    {
        Bot = bot;
        Line = line;
        Placeholder = placeholder;
        Token = token;
        ApiBaseUrl = apiBaseUrl.TrimEnd('/');
        MaxPollGap = maxPollGap;
        _time = time;
        _endedToken = _ended.Token; // still answers (cancelled) once the source is disposed
        _lastPoll = time.GetTimestamp(); // a worker that never polls is as stopped as one that stopped
    }

    public GatewayBot Bot { get; }

    /// <summary>The poll slot and hold of the run's token.</summary>
    public GatewayLine Line { get; }
    public string BotId => Bot.Id;
    public string Placeholder { get; }
    public BotToken Token { get; }
    public string ApiBaseUrl { get; }
    public TimeSpan? MaxPollGap { get; }

    /// <summary>The worker's pid, once it is known.</summary>
    public int? Pid { get; internal set; }

    /// <summary>Cancelled when the run ends: what it still has in flight is abandoned.</summary>
    public CancellationToken Ended => _endedToken;

    public bool IsLive => !_endedToken.IsCancellationRequested;

    /// <summary>What the liveness watch looks at between polls.</summary>
    internal IDisposable? Watch { get; set; }

    /// <summary>Ends the run (once): its watch stops, its calls in flight are cancelled.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _over, 1) != 0) return;
        Watch?.Dispose();
        try
        {
            _ended.Cancel();
        }
        catch (AggregateException)
        {
            // A cancelled call's cleanup failed; the run is over either way.
        }
        _ended.Dispose();
    }

    /// <summary>
    /// Telegram ended a getUpdates of this run with 409 ("terminated by other getUpdates request"): with
    /// one poller per token here, the other poller is outside Botvisor. True the first time in this run,
    /// so that it is reported once, not once per poll.
    /// </summary>
    public bool OutsidePollerSeen() => Interlocked.Exchange(ref _outsidePollerReported, 1) == 0;

    /// <summary>
    /// Whether the run may act under the lease epoch this node holds now. A run is bound to the epoch its
    /// worker was spawned under (<see cref="GatewayRegistry.Issue"/>), or else by its first call; a later
    /// epoch (the lease was lost and taken again meanwhile) is not the run's: its worker belongs to an
    /// earlier tenure and is refused until it is replaced.
    /// </summary>
    public bool UnderEpoch(long epoch)
    {
        long bound = Interlocked.CompareExchange(ref _epoch, epoch, NoEpoch);
        return bound == NoEpoch || bound == epoch;
    }

    /// <summary>A getUpdates of this run was forwarded.</summary>
    public void PollStarted()
    {
        Interlocked.Increment(ref _pollsInFlight);
        Volatile.Write(ref _lastPoll, _time.GetTimestamp());
    }

    /// <summary>It was answered (or abandoned).</summary>
    public void PollEnded()
    {
        Volatile.Write(ref _lastPoll, _time.GetTimestamp());
        Interlocked.Decrement(ref _pollsInFlight);
    }

    /// <summary>The bot went back from a webhook to polling: the poll gap starts now.</summary>
    public void RestartPollClock() => Volatile.Write(ref _lastPoll, _time.GetTimestamp());

    /// <summary>How long since the run last started or finished a getUpdates, and whether one is in flight now.</summary>
    public (TimeSpan SinceLastPoll, bool InFlight) PollActivity =>
        (_time.GetElapsedTime(Volatile.Read(ref _lastPoll)), Volatile.Read(ref _pollsInFlight) > 0);
}
