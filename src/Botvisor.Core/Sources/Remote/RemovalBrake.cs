namespace Botvisor.Core.Sources.Remote;

/// <summary>
/// How many of a source's bots one fetch may remove (pure). A platform's bug that answers 200 with an
/// empty or short list must not stop its bots (ArgoCD deleted every application during a GitHub outage:
/// argo-cd#3473). A fetch may remove at most <c>max_removal</c> of the source's bots (at least one); a
/// larger drop is held until the next fetch shows it again (every bot it removes was already missing) or
/// someone accepts it; a list that would leave the source empty is applied only when accepted.
/// </summary>
public static class RemovalBrake
{
    /// <summary>How many of <paramref name="current"/> bots one fetch may remove.</summary>
    public static int Allowed(int current, double maxShare) => Math.Max(1, (int)Math.Floor(maxShare * current + 1e-9));

    /// <param name="current">How many bots the source runs now.</param>
    /// <param name="removed">The ids this fetch would remove.</param>
    /// <param name="remaining">How many bots the source would have after it.</param>
    /// <param name="heldBefore">The removal held after the previous fetch, if any.</param>
    /// <param name="accepted">Someone accepted the held removal (<c>botvisor sources accept</c>).</param>
    public static BrakeDecision Decide(int current, IReadOnlySet<string> removed, int remaining, HeldRemoval? heldBefore, double maxShare, bool accepted)
    {
        if (removed.Count == 0 || accepted) return BrakeDecision.Apply;
        if (remaining == 0) return BrakeDecision.Hold(needsAccept: true);
        if (removed.Count <= Allowed(current, maxShare)) return BrakeDecision.Apply;
        // An empty list's hold is confirmed by nothing but an accept: a partial list after it is a new drop.
        if (heldBefore is { NeedsAccept: false } && removed.IsSubsetOf(heldBefore.Ids)) return BrakeDecision.Confirmed;
        return BrakeDecision.Hold(needsAccept: false);
    }
}

public sealed record BrakeDecision(bool Remove, bool Held, bool NeedsAccept, bool WasConfirmed)
{
    public static readonly BrakeDecision Apply = new(true, false, false, false);
    public static readonly BrakeDecision Confirmed = new(true, false, false, true);

    public static BrakeDecision Hold(bool needsAccept) => new(false, true, needsAccept, false);
}

/// <summary>Bots a fetch would have removed, kept running until the removal is seen again or accepted.</summary>
public sealed record HeldRemoval(IReadOnlySet<string> Ids, int Before, DateTimeOffset Since, bool NeedsAccept);
