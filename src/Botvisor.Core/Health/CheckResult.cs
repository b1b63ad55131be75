namespace Botvisor.Core.Health;

/// <summary>The last result of one health check of a bot.</summary>
public sealed record CheckResult(bool Healthy, string Message, DateTimeOffset Time);
