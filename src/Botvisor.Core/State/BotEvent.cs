namespace Botvisor.Core.State;

/// <summary>
/// Something that happened, kept in the store and streamed: a state transition, a command someone
/// gave (audit), a reload. Never contains a secret.
/// </summary>
public sealed record BotEvent
{
    /// <summary>Assigned by the store; 0 before it is stored.</summary>
    public long Id { get; init; }
    public required DateTimeOffset Time { get; init; }
    public required string Kind { get; init; }
    public string? BotId { get; init; }
    public string? State { get; init; }
    public required string Message { get; init; }

    /// <summary>Who caused it (audit events): a token name, a Unix user, or <c>daemon</c>.</summary>
    public string? Actor { get; init; }

    /// <summary>
    /// In a cluster: the epoch of the lease the bot's worker runs (or ran, or is about to start) under, on the
    /// events of that worker's start, exit and stop and on the node's lease events; null on one node and on
    /// events no lease stands behind.
    /// </summary>
    public long? Epoch { get; init; }
}

public static class BotEventKinds
{
    public const string State = "state";
    public const string Audit = "audit";
    public const string Daemon = "daemon";
    public const string Orphan = "orphan";
    public const string Health = "health";

    /// <summary>A remote source's fetch: outage, recovery, rejected entries, held removals (<c>BotId</c> null, the source named in the message).</summary>
    public const string Source = "source";

    /// <summary>A cluster node joined, became suspect or gone, drains; a lease changed holder.</summary>
    public const string Node = "node";

    /// <summary>The Bot API gateway: an outside poller (409), a poll gap, a 429 being honoured.</summary>
    public const string Gateway = "gateway";

    /// <summary>An alert sent (or failing to be sent) to Telegram chats or webhooks.</summary>
    public const string Alert = "alert";
}

/// <summary>The <c>State</c> of a <see cref="BotEventKinds.Source"/> event: what alerts key on (null: nothing to alert).</summary>
public static class SourceEventStates
{
    public const string Outage = "outage";
    public const string Recovered = "recovered";
    public const string Held = "held";
    public const string Released = "released";
    public const string Confirmed = "confirmed";
}
