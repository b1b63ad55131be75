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
}

public static class BotEventKinds
{
    public const string State = "state";
    public const string Audit = "audit";
    public const string Daemon = "daemon";
    public const string Orphan = "orphan";
    public const string Health = "health";
}
