namespace Botvisor.Core.Gateway;

/// <summary>
/// Telegram's <c>retry_after</c>, honoured once for the whole token: after a 429, the bot's calls are held
/// (awaited, no thread) until the time is up and then sent, when the wait is short and few are waiting;
/// otherwise answered at once with Telegram's own 429 and the time still left, without reaching
/// Telegram. Either way Telegram sees no call of the bot before the time it asked for.
/// </summary>
public sealed class FloodHold(TimeProvider time)
{
    /// <summary>The longest a call is held; a longer hold is answered with 429 (clients time out their calls after a few seconds).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);

    /// <summary>How many calls of one bot may wait at once; more are answered with 429.</summary>
    public const int MaxWaiting = 100;

    private long _until;
    private int _waiting;
    private int _lastRetryAfter;

    /// <summary>Telegram answered 429 with <paramref name="retryAfter"/>: no call before then.</summary>
    public void Record(TimeSpan retryAfter)
    {
        long until = time.GetTimestamp() + (long)(retryAfter.TotalSeconds * time.TimestampFrequency);
        long seen;
        do
        {
            seen = Volatile.Read(ref _until);
            if (seen >= until) return;
        }
        while (Interlocked.CompareExchange(ref _until, until, seen) != seen);
        Volatile.Write(ref _lastRetryAfter, (int)Math.Ceiling(retryAfter.TotalSeconds));
    }

    /// <summary>How long calls are still held; zero when they are not.</summary>
    public TimeSpan Remaining
    {
        get
        {
            long until = Volatile.Read(ref _until);
            if (until == 0) return TimeSpan.Zero;
            long left = until - time.GetTimestamp();
            return left <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(left / (double)time.TimestampFrequency);
        }
    }

    /// <summary>The <c>retry_after</c> (seconds) of the hold in effect; null when none is.</summary>
    public int? CurrentRetryAfter => Remaining > TimeSpan.Zero ? Volatile.Read(ref _lastRetryAfter) : null;

    /// <summary>What to do with a call now. A <see cref="FloodDecision.Wait"/> must be followed by <see cref="Waited"/>.</summary>
    public FloodDecision Decide()
    {
        var left = Remaining;
        if (left <= TimeSpan.Zero) return FloodDecision.Pass;
        if (left <= MaxWait && Interlocked.Increment(ref _waiting) <= MaxWaiting) return FloodDecision.Wait(left);
        if (left <= MaxWait) Interlocked.Decrement(ref _waiting);
        return FloodDecision.Refuse((int)Math.Ceiling(left.TotalSeconds));
    }

    /// <summary>A held call's wait is over.</summary>
    public void Waited() => Interlocked.Decrement(ref _waiting);
}

/// <summary>Send now, wait this long first, or answer 429 with this <c>retry_after</c>.</summary>
public readonly record struct FloodDecision(FloodAction Action, TimeSpan Delay, int RetryAfter)
{
    public static FloodDecision Pass => default;
    public static FloodDecision Wait(TimeSpan delay) => new(FloodAction.Wait, delay, 0);
    public static FloodDecision Refuse(int retryAfter) => new(FloodAction.Refuse, TimeSpan.Zero, retryAfter);
}

public enum FloodAction
{
    Pass,
    Wait,
    Refuse,
}
