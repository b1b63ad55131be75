namespace Botvisor.Core.State;

/// <summary>The lifecycle of a bot. Goes over the wire by name.</summary>
public enum BotLifecycleState
{
    Pending,
    Starting,
    Running,
    Stopping,
    Stopped,
    Backoff,
    Failed,

    /// <summary>Asked to run, and waiting for a start gate: a dependency to be running, the Bot API to answer (and, in a cluster, the bot's lease).</summary>
    Waiting,
}

public static class BotLifecycleStates
{
    /// <summary>States in which no worker exists and none will be started without a command.</summary>
    public static readonly IReadOnlySet<BotLifecycleState> Terminal = new HashSet<BotLifecycleState>
    {
        BotLifecycleState.Stopped,
        BotLifecycleState.Failed,
    };

    public static bool IsTerminal(this BotLifecycleState state) => Terminal.Contains(state);

    public static string ToName(this BotLifecycleState state) => state switch
    {
        BotLifecycleState.Pending => "pending",
        BotLifecycleState.Starting => "starting",
        BotLifecycleState.Running => "running",
        BotLifecycleState.Stopping => "stopping",
        BotLifecycleState.Stopped => "stopped",
        BotLifecycleState.Backoff => "backoff",
        BotLifecycleState.Waiting => "waiting",
        _ => "failed",
    };
}
