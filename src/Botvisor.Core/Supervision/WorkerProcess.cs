using Botvisor.Core.Fleet;
using Botvisor.Core.Health;
using Botvisor.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Supervision;

/// <summary>
/// One live worker and what hangs on it: its process group (= session, = pid), its record, its cgroup.
/// Spawning prepares the cgroup (limits written before the worker joins it), the account and the
/// environment; signalling reaches the group and whatever of it left the group in its cgroup.
/// </summary>
internal sealed class WorkerProcess
{
    private readonly string _botId;
    private readonly ILogger _logger;

    private WorkerProcess(string botId, ILogger logger, SpawnedProcess spawned, WorkerRecord record, Cgroups.BotCgroup? cgroup, LimitEnforcement limits)
    {
        _botId = botId;
        _logger = logger;
        Spawned = spawned;
        Record = record;
        Cgroup = cgroup;
        Limits = limits;
        OomKillsAtStart = cgroup is { HasMemoryController: true } ? cgroup.OomKills : 0;
    }

    public int Pid => Spawned.Pid;
    public SpawnedProcess Spawned { get; }
    public WorkerRecord Record { get; }
    public Cgroups.BotCgroup? Cgroup { get; }
    public LimitEnforcement Limits { get; }
    private long OomKillsAtStart { get; }

    /// <summary>Spawns a worker of <paramref name="spec"/>; throws <see cref="SpawnException"/> when it cannot.</summary>
    public static WorkerProcess Spawn(BotSpec spec, SupervisorServices services, ILogger logger, Action<int, ExitStatus> onExit, LimitEnforcement previousLimits)
    {
        if (spec.Command.Count == 0) throw new SpawnException("cannot start the worker: the command is empty", 0);
        if (spec.Gateway && services.Gateway is null) throw new SpawnException("the bot runs behind the gateway (gateway: true), but this daemon has no gateway", 0);
        var (cgroup, limits) = PrepareCgroup(spec, services, logger, previousLimits);
        var account = WorkerAccount.For(spec);
        // Another user cannot reach the 0700 state directory's socket file; the abstract name needs no path.
        var notify = account is { IsOtherUser: true } ? services.NotifyAbstractAddress ?? services.NotifySocketPath : services.NotifySocketPath;
        var env = WorkerEnvironment.Build(spec, services.Environment(), services.FleetTokens(), notify, services.WorkerMark, account);
        foreach (var attachment in services.Attachments) attachment.Spawning(spec, env);
        SpawnedProcess spawned;
        try
        {
            spawned = ProcessSpawner.Spawn(new SpawnRequest(WorkerCommand.Argv(spec, cgroup?.ProcsFile, account), spec.WorkingDirectory, env), services.Reaper, onExit);
        }
        catch (SpawnException)
        {
            foreach (var attachment in services.Attachments) attachment.SpawnFailed(spec);
            throw;
        }
        var stat = ProcStat.Read(spawned.Pid);
        // The lease epoch the worker got in its environment (in a cluster), exactly: its record and its events carry it.
        long? epoch = services.Leases is not null && env.TryGetValue(Cluster.LeaseEpochAttachment.Variable, out var e)
            && long.TryParse(e, System.Globalization.CultureInfo.InvariantCulture, out long parsed) ? parsed : null;
        var record = new WorkerRecord(spec.Id, spawned.Pid, spawned.Pid, stat?.StartTime ?? 0, services.Time.GetUtcNow()) { Epoch = epoch };
        return new WorkerProcess(spec.Id, logger, spawned, record, cgroup, limits);
    }

    /// <summary>
    /// A bot with memory_max or cpu_max gets its own cgroup where the daemon has a cgroup tree: created
    /// on first use, emptied of anything an earlier worker left, limits written before the worker joins.
    /// </summary>
    private static (Cgroups.BotCgroup? Cgroup, LimitEnforcement Limits) PrepareCgroup(BotSpec spec, SupervisorServices services, ILogger logger, LimitEnforcement previous)
    {
        if (spec.MemoryMax is null && spec.CpuMax is null) return (null, LimitEnforcement.None);
        var (cgroup, limits, why) = TryCgroup(spec, services, logger);
        if (limits.Cpu == LimitEnforcement.NotEnforced && previous.Cpu != LimitEnforcement.NotEnforced)
        {
            BotSupervisor.Log.CpuLimitNotEnforced(logger, spec.Id, why);
        }
        return (cgroup, limits);
    }

    private static (Cgroups.BotCgroup? Cgroup, LimitEnforcement Limits, string Why) TryCgroup(BotSpec spec, SupervisorServices services, ILogger logger)
    {
        if (services.Cgroups is not { } tree) return (null, LimitEnforcement.WithoutCgroup(spec.MemoryMax, spec.CpuMax), "the daemon has no cgroup tree");
        var cgroup = tree.ForBot(spec.Id);
        try
        {
            cgroup.Create();
            if (cgroup.IsPopulated)
            {
                BotSupervisor.Log.CgroupLeftovers(logger, spec.Id, cgroup.Processes().Count, cgroup.Path);
                cgroup.Kill();
            }
            cgroup.ApplyLimits(spec.MemoryMax, spec.CpuMax);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            BotSupervisor.Log.CgroupFailed(logger, spec.Id, cgroup.Path, ex.Message);
            return (null, LimitEnforcement.WithoutCgroup(spec.MemoryMax, spec.CpuMax), $"cgroup {cgroup.Path} could not be used");
        }
        var limits = new LimitEnforcement(
            spec.MemoryMax is null ? null : cgroup.HasMemoryController ? LimitEnforcement.Cgroup : LimitEnforcement.Watched,
            spec.CpuMax is null ? null : cgroup.HasCpuController ? LimitEnforcement.Cgroup : LimitEnforcement.NotEnforced,
            cgroup.Path);
        return (cgroup, limits, $"cgroup {cgroup.Path} has no cpu controller on this machine");
    }

    /// <summary>Signals the worker's process group, and in its cgroup whatever has left that group.</summary>
    public void Signal(int signal)
    {
        if (ProcessGroup.Signal(Pid, signal))
        {
            BotSupervisor.Log.GroupSignalled(_logger, _botId, Signals.Name(signal), Pid);
            // A stopped (SIGSTOP) process would never see the signal; wake it as s6 does.
            if (signal != Signals.SIGCONT) ProcessGroup.Signal(Pid, Signals.SIGCONT);
        }
        if (Cgroup?.SignalOutside(Pid, signal) is > 0 and var outside)
        {
            BotSupervisor.Log.CgroupOutsidersSignalled(_logger, _botId, Signals.Name(signal), outside);
        }
    }

    public void Kill()
    {
        ProcessGroup.Signal(Pid, Signals.SIGKILL);
        Cgroup?.Kill();
    }

    /// <summary>Whether anything of the worker is left: its process group, or anything in its cgroup.</summary>
    public bool IsGroupAlive => ProcessGroup.IsAlive(Pid) || Cgroup?.IsPopulated == true;

    /// <summary>Why the kernel ended the bot, if its OOM killer did (in the bot's cgroup, since this worker started).</summary>
    public string? OomCause(BotSpec spec) =>
        Cgroup is { HasMemoryController: true } cgroup && spec.MemoryMax is { } max && cgroup.OomKills > OomKillsAtStart
            ? $"memory limit {ResourceSampler.Mib(max)} exceeded (the kernel's OOM killer ended the bot in its cgroup {cgroup.Path})"
            : null;
}
