using Botvisor.Core.Fleet;
using Botvisor.Core.State;

namespace Botvisor.Api.Contracts;

/// <summary>From the core's types to the API's.</summary>
internal static class ApiMapping
{
    /// <summary>Each definition's command as shown, masked once per definition (/status for 1,000 bots must stay cheap).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<BotSpec, IReadOnlyList<string>> ShownCommands = new();

    /// <summary>The command with every token in it masked: the fleet's, and any other in Telegram's shape (<c>--token 123:ABC…</c>).</summary>
    public static IReadOnlyList<string> ShownCommand(BotSpec spec, Core.Logs.TokenMasker masker) =>
        ShownCommands.GetValue(spec, sp => sp.Command.Select(masker.MaskDefinition).ToArray());

    /// <remarks>
    /// A stopped (or not yet started, or waiting to start) bot has no health verdict, and a bot without a worker no resources: the
    /// last sample is of a process that is gone. A bot in backoff or failed keeps the verdict that ended it.
    /// </remarks>
    public static BotStatus ToStatus(this BotSnapshot s, BotSpec? spec, DateTimeOffset now, Core.Logs.TokenMasker masker, Core.Health.ResourceUsage? usage = null, Core.Gateway.GatewayRegistry? gateway = null, Hosting.BotNodes? nodes = null) => new()
    {
        Node = nodes?.EpochOf(s.Id) is null ? nodes?.Of(s.Id) : nodes.Self,
        LeaseEpoch = nodes?.EpochOf(s.Id),
        BehindGateway = spec?.Gateway ?? false,
        Gateway = gateway?.Bot(s.Id) is { } g ? ToInfo(g) : null,
        Ready = s.Ready,
        StatusText = s.StatusText,
        Health = s.State is BotLifecycleState.Stopped or BotLifecycleState.Pending or BotLifecycleState.Waiting ? "unknown" : s.Health.ToString().ToLowerInvariant(),
        Checks = s.Checks.Count == 0 ? null : s.Checks.ToDictionary(kv => kv.Key, kv => new CheckInfo(kv.Value.Healthy, kv.Value.Message, kv.Value.Time)),
        Resources = usage is null || s.Pid is null ? null : new ResourceInfo(usage.RssBytes, usage.CpuPercent, usage.Processes, usage.SampledAt),
        Limits = spec is null || (spec.MemoryMax is null && spec.CpuMax is null) ? null : Limits(s, spec),
        Id = s.Id,
        State = s.State.ToName(),
        Reason = s.Reason,
        Pid = s.Pid,
        StartedAt = s.StartedAt,
        UptimeSeconds = s.State == BotLifecycleState.Running && s.StartedAt is { } t ? Math.Round((now - t).TotalSeconds, 3) : null,
        Restarts = s.Restarts,
        LastExit = s.LastExit is { } e ? new ExitInfo(e.Code, e.ExitCode, e.Signal is { } sig ? Signals.Name(sig) : null, e.ToString()) : null,
        NextStartAt = s.NextStartAt,
        Token = s.MaskedToken,
        Username = s.TelegramUsername is { } u ? "@" + u : null,
        Conflicts = s.Conflicts,
        Source = s.Source,
        Command = spec is null ? [] : ShownCommand(spec, masker),
        Autostart = spec?.Autostart ?? false,
        DependsOn = spec?.DependsOn ?? [],
    };

    private static GatewayInfo ToInfo(Core.Gateway.GatewayBot bot) => new()
    {
        LastPoll = bot.Stats.LastPoll,
        Polling = bot.Poll.InFlight,
        Webhook = bot.TakesWebhook,
        UpdatesDelivered = bot.Stats.UpdatesDelivered,
        RetryAfter = bot.Flood.CurrentRetryAfter,
        Methods = bot.Stats.Methods().ToDictionary(m => m.Method, m => new GatewayMethodInfo(m.Calls, m.Errors, m.RateLimited,
            m.Calls == 0 ? 0 : Math.Round(m.Time.TotalMilliseconds / m.Calls, 3)), StringComparer.Ordinal),
    };

    /// <summary>The enforcement of the last worker; before any, what it will be without a cgroup.</summary>
    private static LimitsInfo Limits(BotSnapshot s, BotSpec spec)
    {
        var e = s.Limits.Memory is null && s.Limits.Cpu is null ? Core.Health.LimitEnforcement.WithoutCgroup(spec.MemoryMax, spec.CpuMax) : s.Limits;
        return new LimitsInfo(spec.MemoryMax, spec.MemoryMax is null ? null : e.Memory, spec.CpuMax, spec.CpuMax is null ? null : e.Cpu, e.CgroupPath);
    }

    public static EventInfo ToInfo(this BotEvent e) => new()
    {
        Id = e.Id,
        Time = e.Time,
        Kind = e.Kind,
        Bot = e.BotId,
        State = e.State,
        Message = e.Message,
        Actor = e.Actor,
        Epoch = e.Epoch,
    };
}
