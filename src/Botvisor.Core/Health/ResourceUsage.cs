namespace Botvisor.Core.Health;

/// <summary>What a bot's whole session (worker and descendants) uses, from one /proc pass.</summary>
public sealed record ResourceUsage(long RssBytes, double CpuPercent, int Processes, DateTimeOffset SampledAt)
{
    /// <summary>How <c>memory_max</c> is enforced: Botvisor watches RSS and restarts a bot that stays over it.</summary>
    public const string WatchedEnforcement = "watched";
}
