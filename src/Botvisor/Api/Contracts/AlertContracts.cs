namespace Botvisor.Api.Contracts;

/// <summary>The open alerts (problems that stand, told or not yet) and the silences in force.</summary>
public sealed record AlertsResponse(IReadOnlyList<AlertInfo> Open, IReadOnlyList<SilenceInfo> Silences);

/// <summary>An open alert: its kind (bot_failed, unhealthy, restart_storm, conflict, token_rejected, memory_limit, node_gone, source_outage, source_held) and subject.</summary>
public sealed record AlertInfo(string Kind, string Subject, string Reason, DateTimeOffset StartedAt, bool Silenced);

/// <summary>A silence: <c>target</c> is a bot id (or node, or source) or <c>*</c>; <c>kind</c> null means every kind.</summary>
public sealed record SilenceInfo(string Target, string? Kind, DateTimeOffset Until, string By, string Description);

/// <summary>A new silence: <c>target</c> as <c>/mute</c> takes it (<c>crashy</c>, <c>kind:restart_storm</c>, <c>crashy/unhealthy</c>, <c>*</c>); <c>duration</c> such as <c>30m</c> or <c>1h</c>.</summary>
public sealed record SilenceRequest(string? Target, string? Duration);

public sealed record UnmuteResponse(int Removed);
