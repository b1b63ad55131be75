namespace Botvisor.Core.Alerts;

/// <summary>What an alert is about. On the wire (webhooks, <c>/mute kind:…</c>) by <see cref="AlertKinds.Name"/>.</summary>
public enum AlertKind
{
    BotFailed,
    Unhealthy,
    RestartStorm,
    Conflict,
    TokenRejected,
    MemoryLimit,
    NodeGone,
    SourceOutage,
    SourceHeld,
}

public static class AlertKinds
{
    public static readonly IReadOnlyList<AlertKind> All = Enum.GetValues<AlertKind>();

    public static string Name(this AlertKind kind) => kind switch
    {
        AlertKind.BotFailed => "bot_failed",
        AlertKind.Unhealthy => "unhealthy",
        AlertKind.RestartStorm => "restart_storm",
        AlertKind.Conflict => "conflict",
        AlertKind.TokenRejected => "token_rejected",
        AlertKind.MemoryLimit => "memory_limit",
        AlertKind.NodeGone => "node_gone",
        AlertKind.SourceOutage => "source_outage",
        AlertKind.SourceHeld => "source_held",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static bool TryParse(string name, out AlertKind kind)
    {
        foreach (var k in All)
        {
            if (string.Equals(k.Name(), name, StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }
        kind = default;
        return false;
    }

    /// <summary>What the alert says, after its subject: "crashy <c>failed</c>".</summary>
    public static string Verb(this AlertKind kind) => kind switch
    {
        AlertKind.BotFailed => "failed",
        AlertKind.Unhealthy => "is unhealthy",
        AlertKind.RestartStorm => "is in a restart storm",
        AlertKind.Conflict => "has another instance polling its token (409 Conflict)",
        AlertKind.TokenRejected => "has a token Telegram rejects",
        AlertKind.MemoryLimit => "was killed at its memory limit",
        AlertKind.NodeGone => "is gone",
        AlertKind.SourceOutage => "cannot be fetched",
        AlertKind.SourceHeld => "holds back a removal",
        _ => kind.Name(),
    };

    /// <summary>The plural noun of a digest: "37 bots failed".</summary>
    public static string Plural(this AlertKind kind) => kind switch
    {
        AlertKind.BotFailed => "failed",
        AlertKind.Unhealthy => "unhealthy",
        AlertKind.RestartStorm => "in a restart storm",
        AlertKind.Conflict => "with another poller (409)",
        AlertKind.TokenRejected => "with a rejected token",
        AlertKind.MemoryLimit => "killed at their memory limit",
        AlertKind.NodeGone => "gone",
        AlertKind.SourceOutage => "unreachable",
        AlertKind.SourceHeld => "holding back removals",
        _ => kind.Name(),
    };

    /// <summary>"bot", "node" or "source": what the subject of an alert of this kind is.</summary>
    public static string SubjectNoun(this AlertKind kind) => kind switch
    {
        AlertKind.NodeGone => "node",
        AlertKind.SourceOutage or AlertKind.SourceHeld => "source",
        _ => "bot",
    };

    /// <summary>
    /// Kinds with no event that says they are over (a 409 line, a memory-limit kill, a storm of
    /// restarts): they end after a quiet time without another occurrence.
    /// </summary>
    public static bool EndsWhenQuiet(this AlertKind kind) => kind is AlertKind.Conflict or AlertKind.MemoryLimit or AlertKind.RestartStorm;
}

/// <summary>One alert's identity: grouped and de-duplicated per subject (a bot, a node, a source) and kind.</summary>
public readonly record struct AlertKey(string Subject, AlertKind Kind)
{
    public override string ToString() => $"{Subject}/{Kind.Name()}";
}
