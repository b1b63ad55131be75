using Botvisor.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Botvisor.Core.Supervision;

public sealed partial class BotSupervisor
{
    internal static partial class Log
    {
        [LoggerMessage(EventId = LogEventIds.StateChanged, Level = LogLevel.Information, Message = "Bot {BotId}: {State} ({Reason})")]
        public static partial void StateChanged(ILogger logger, string botId, string state, string reason);

        [LoggerMessage(EventId = LogEventIds.WorkerStarted, Level = LogLevel.Debug, Message = "Bot {BotId}: worker {Pid} started: {Command}")]
        public static partial void WorkerStarted(ILogger logger, string botId, int pid, string command);

        [LoggerMessage(EventId = LogEventIds.WorkerExited, Level = LogLevel.Information, Message = "Bot {BotId}: worker {Pid} {Status} after {Uptime}")]
        public static partial void WorkerExited(ILogger logger, string botId, int pid, string status, string uptime);

        [LoggerMessage(EventId = LogEventIds.WorkerSpawnFailed, Level = LogLevel.Error, Message = "Bot {BotId}: {Error}")]
        public static partial void SpawnFailed(ILogger logger, string botId, string error);

        [LoggerMessage(EventId = LogEventIds.GroupSignalled, Level = LogLevel.Debug, Message = "Bot {BotId}: sent {Signal} to process group {Pgid}")]
        public static partial void GroupSignalled(ILogger logger, string botId, string signal, int pgid);

        [LoggerMessage(EventId = LogEventIds.GroupKilled, Level = LogLevel.Warning, Message = "Bot {BotId}: process group {Pgid} still alive after stop_timeout {Timeout}; sent SIGKILL")]
        public static partial void GroupKilled(ILogger logger, string botId, int pgid, string timeout);

        [LoggerMessage(EventId = LogEventIds.GroupLingering, Level = LogLevel.Warning, Message = "Bot {BotId}: process group {Pgid} still has members after SIGKILL (uninterruptible sleep?); still waiting")]
        public static partial void GroupLingering(ILogger logger, string botId, int pgid);

        [LoggerMessage(EventId = LogEventIds.PollingConflict, Level = LogLevel.Warning, Message = "Bot {BotId}: another instance is polling this token (409 Conflict from getUpdates; {Count} so far)")]
        public static partial void PollingConflict(ILogger logger, string botId, int count);

        [LoggerMessage(EventId = LogEventIds.HealthChanged, Level = LogLevel.Information, Message = "Bot {BotId}: {Change}")]
        public static partial void HealthChanged(ILogger logger, string botId, string change);

        [LoggerMessage(EventId = LogEventIds.ResourceLimit, Level = LogLevel.Warning, Message = "Bot {BotId}: {Reason}")]
        public static partial void MemoryLimitReached(ILogger logger, string botId, string reason);

        [LoggerMessage(EventId = LogEventIds.CgroupLeftovers, Level = LogLevel.Warning, Message = "Bot {BotId}: {Count} process(es) of an earlier worker were still in {Cgroup}; killed them with cgroup.kill")]
        public static partial void CgroupLeftovers(ILogger logger, string botId, int count, string cgroup);

        [LoggerMessage(EventId = LogEventIds.CgroupFailed, Level = LogLevel.Warning, Message = "Bot {BotId}: cannot use cgroup {Cgroup} ({Error}); memory_max is watched instead and cpu_max is not enforced")]
        public static partial void CgroupFailed(ILogger logger, string botId, string cgroup, string error);

        [LoggerMessage(EventId = LogEventIds.CpuLimitNotEnforced, Level = LogLevel.Warning, Message = "Bot {BotId}: cpu_max is not enforced: {Why}")]
        public static partial void CpuLimitNotEnforced(ILogger logger, string botId, string why);

        [LoggerMessage(EventId = LogEventIds.CgroupOutsidersSignalled, Level = LogLevel.Information, Message = "Bot {BotId}: sent {Signal} to {Count} process(es) of its cgroup that had left the worker's process group")]
        public static partial void CgroupOutsidersSignalled(ILogger logger, string botId, string signal, int count);

        [LoggerMessage(EventId = LogEventIds.SupervisorFaulted, Level = LogLevel.Critical, Message = "Bot {BotId}: supervisor failed")]
        public static partial void Faulted(ILogger logger, string botId, Exception exception);
    }
}
