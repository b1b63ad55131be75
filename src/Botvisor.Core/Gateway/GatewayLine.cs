namespace Botvisor.Core.Gateway;

/// <summary>
/// What the gateway keeps per token, whichever bot id holds it: the one poll slot, the <c>retry_after</c>
/// hold, and the run whose placeholder stands for the token now. Two ids with one token (a reload that
/// renames a bot, a token moved from one bot to another) share it, so they still poll one at a time and
/// wait out one <c>retry_after</c>; a bot whose token is rotated gets a fresh one.
/// </summary>
public sealed class GatewayLine
{
    private GatewayRun? _current;

    internal GatewayLine(TimeProvider time) => Flood = new FloodHold(time);

    public PollSlot Poll { get; } = new();
    public FloodHold Flood { get; }

    /// <summary>The run that may use the token now, if any: issuing a run for the token revokes the one before.</summary>
    public GatewayRun? Current => Volatile.Read(ref _current);

    internal GatewayRun? Exchange(GatewayRun? run) => Interlocked.Exchange(ref _current, run);

    internal void ClearIf(GatewayRun run) => Interlocked.CompareExchange(ref _current, null, run);
}
