using Botvisor.Core.Fleet;
using Botvisor.Core.Gateway;
using Botvisor.Core.Health;

namespace Botvisor.Core.Supervision.Attachments;

/// <summary>
/// A gateway bot's worker gets a placeholder token instead of its real one, and the gateway's URL as
/// TELEGRAM_API_BASE_URL; the placeholder dies with the worker. With <c>liveness.max_poll_gap</c>, the
/// run's polling (or its webhook's backlog at Telegram) is watched and a worker that stopped taking its
/// updates is reported to its supervisor as a fault.
/// In a cluster the run is bound to the lease epoch its worker is spawned under. A bot spawned without
/// the gateway (it was switched off) leaves nothing of it behind.
/// </summary>
internal sealed class GatewayPlaceholder(GatewayRegistry gateway, CheckScheduler checks, Cluster.ILeaseFence? fence = null) : IWorkerAttachment
{
    public const string LivenessCheck = "liveness";

    public void Spawning(BotSpec spec, IDictionary<string, string> environment)
    {
        if (!spec.Gateway || spec.Token is not { } token)
        {
            gateway.Forget(spec.Id);
            return;
        }
        var baseUrl = gateway.BaseUrl ?? throw new SpawnException("the bot runs behind the gateway (gateway: true), but the daemon's gateway is not listening", 0);
        var run = gateway.Issue(spec, fence is null ? null : fence.HeldEpoch(spec.Id) ?? GatewayRun.NoLease);
        // The real token goes nowhere near the worker, not even where the bot's own env: repeats it.
        string real = token.Reveal();
        foreach (var key in environment.Where(e => e.Value.Contains(real, StringComparison.Ordinal)).Select(e => e.Key).ToList())
        {
            environment[key] = environment[key].Replace(real, run.Placeholder, StringComparison.Ordinal);
        }
        environment[WorkerEnvironment.BotToken] = run.Placeholder;
        environment[WorkerEnvironment.TelegramBotToken] = run.Placeholder;
        environment[WorkerEnvironment.TelegramApiBaseUrl] = baseUrl;
    }

    public void SpawnFailed(BotSpec spec)
    {
        if (gateway.Bot(spec.Id)?.Current is { Pid: null } run) gateway.Revoke(run);
    }

    public ValueTask SpawnedAsync(AttachedWorker worker)
    {
        if (gateway.Bot(worker.BotId)?.Current is not { Pid: null } run) return ValueTask.CompletedTask;
        run.Pid = worker.Pid;
        if (run.MaxPollGap is { } gap)
        {
            var inbox = worker.Inbox;
            int pid = worker.Pid;
            run.Watch = new LivenessWatch(run, gap, checks, gateway.Webhooks, gateway.Time, reason => inbox.Post(new SupervisorSignal.WorkerFault(pid, LivenessCheck, reason)));
        }
        return ValueTask.CompletedTask;
    }

    public void Ended(AttachedWorker worker)
    {
        if (gateway.Bot(worker.BotId)?.Current is { } run && run.Pid == worker.Pid) gateway.Revoke(run);
    }
}
