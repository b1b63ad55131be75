namespace Botvisor.Core.Health;

/// <summary>How a bot's <c>memory_max</c> and <c>cpu_max</c> are enforced on this machine, shown in status.</summary>
/// <param name="Memory"><see cref="Cgroup"/> (memory.max), <see cref="Watched"/> (RSS sampled), or null without memory_max.</param>
/// <param name="Cpu"><see cref="Cgroup"/> (cpu.max), <see cref="NotEnforced"/>, or null without cpu_max.</param>
/// <param name="CgroupPath">The bot's own cgroup, if it has one.</param>
public sealed record LimitEnforcement(string? Memory, string? Cpu, string? CgroupPath)
{
    public const string Cgroup = "cgroup";
    public const string Watched = "watched";
    public const string NotEnforced = "not enforced";

    public static readonly LimitEnforcement None = new(null, null, null);

    /// <summary>Without a cgroup: memory is watched, CPU cannot be limited.</summary>
    public static LimitEnforcement WithoutCgroup(long? memoryMax, double? cpuMax) =>
        new(memoryMax is null ? null : Watched, cpuMax is null ? null : NotEnforced, null);
}
