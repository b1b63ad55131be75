namespace Botvisor.Core.Gateway;

/// <summary>
/// Telegram's <c>retry_after</c>, honoured once for the whole token: after a 429, the token's calls are held
/// (awaited, no thread) and then let go one at a time, in the order they came, <see cref="Pace"/> apart (the
/// first goes when the time is up, as a probe; a new 429 holds the rest again), when their turn is near and
/// few are waiting; otherwise answered at once with Telegram's own 429 and the time still left, without
/// reaching Telegram. Calls that come while held ones are still being let go queue behind them. Either way
/// Telegram sees no call of the token before the time it asked for, and no burst after it.
/// </summary>
public sealed class FloodHold(TimeProvider time)
{
    /// <summary>The longest a call is held; a longer wait is answered with 429 (clients time out their calls after a few seconds).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);

    /// <summary>How far apart held calls are let go: 20 a second, under Telegram's ~30 messages a second per bot.</summary>
    public static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(50);

    /// <summary>How many calls of one token may wait at once; more are answered with 429.</summary>
    public const int MaxWaiting = 100;

    private readonly Lock _lock = new();
    private long _until;
    private long _nextTurn;
    private int _waiting;
    private int _lastRetryAfter;

    /// <summary>Telegram answered 429 with <paramref name="retryAfter"/>: no call before then.</summary>
    public void Record(TimeSpan retryAfter)
    {
        long until = time.GetTimestamp() + Ticks(retryAfter);
        lock (_lock)
        {
            if (_until >= until) return;
            _until = until;
            _lastRetryAfter = (int)Math.Ceiling(retryAfter.TotalSeconds);
        }
    }

    /// <summary>How long calls are still held; zero when they are not.</summary>
    public TimeSpan Remaining
    {
        get
        {
            long until = Volatile.Read(ref _until);
            if (until == 0) return TimeSpan.Zero;
            long left = until - time.GetTimestamp();
            return left <= 0 ? TimeSpan.Zero : Span(left);
        }
    }

    /// <summary>The <c>retry_after</c> (seconds) of the hold in effect; null when none is.</summary>
    public int? CurrentRetryAfter => Remaining > TimeSpan.Zero ? Volatile.Read(ref _lastRetryAfter) : null;

    /// <summary>Calls waiting for their turn now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// What to do with a call now: pass, wait for its turn (then call <see cref="Waited"/>, and go only if
    /// <see cref="Waited"/> says so), or answer 429.
    /// </summary>
    public FloodDecision Decide()
    {
        long now = time.GetTimestamp();
        if (Volatile.Read(ref _until) <= now && Volatile.Read(ref _nextTurn) <= now) return FloodDecision.Pass;
        lock (_lock)
        {
            if (_until <= now && _nextTurn <= now) return FloodDecision.Pass;
            long turn = Math.Max(Math.Max(_until, _nextTurn), now);
            var wait = Span(turn - now);
            if (wait > MaxWait || _waiting >= MaxWaiting) return FloodDecision.Refuse(Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)));
            _nextTurn = turn + Ticks(Pace);
            _waiting++;
            return FloodDecision.Wait(wait, _until);
        }
    }

    /// <summary>A held call's wait is over: true if it may go now, false if a newer 429 came meanwhile (decide again).</summary>
    public bool Waited(FloodDecision decision)
    {
        lock (_lock)
        {
            _waiting--;
            return _until == decision.Until;
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);

    private TimeSpan Span(long ticks) => TimeSpan.FromSeconds(ticks / (double)time.TimestampFrequency);
}

/// <summary>Send now, wait this long first (for a turn given under the hold ending at <see cref="Until"/>), or answer 429 with this <c>retry_after</c>.</summary>
public readonly record struct FloodDecision(FloodAction Action, TimeSpan Delay, int RetryAfter, long Until)
{
    public static FloodDecision Pass => default;
    public static FloodDecision Wait(TimeSpan delay, long until) => new(FloodAction.Wait, delay, 0, until);
    public static FloodDecision Refuse(int retryAfter) => new(FloodAction.Refuse, TimeSpan.Zero, retryAfter, 0);
}

public enum FloodAction
{
    Pass,
    Wait,
    Refuse,
}
