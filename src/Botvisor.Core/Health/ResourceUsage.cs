namespace Botvisor.Core.Health;

/// <summary>What a bot's whole session (worker and descendants) uses, from one /proc pass.</summary>
public sealed record ResourceUsage(long RssBytes, double CpuPercent, int Processes, DateTimeOffset SampledAt);
