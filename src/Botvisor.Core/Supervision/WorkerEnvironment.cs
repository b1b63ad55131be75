using System.Collections;
using Botvisor.Core.Fleet;

namespace Botvisor.Core.Supervision;

/// <summary>
/// The environment a worker gets: the daemon's own (unless <c>inherit_env: false</c>) minus
/// Botvisor's API secrets and every other bot's token, then the bot's <c>env</c>, then the
/// variables Botvisor defines: <c>BOTVISOR_BOT_ID</c>, <c>TELEGRAM_API_BASE_URL</c>,
/// <c>BOT_TOKEN</c> and <c>TELEGRAM_BOT_TOKEN</c>.
/// </summary>
public static class WorkerEnvironment
{
    public const string BotId = "BOTVISOR_BOT_ID";

    /// <summary>
    /// Marks every process of a daemon's workers with its state directory (see <see cref="WorkerMarks"/>):
    /// set at exec, inherited by what the worker starts, so a daemon killed at any instant leaves no
    /// process its successor cannot find.
    /// </summary>
    public const string StateId = "BOTVISOR_STATE_ID";
    public const string BotToken = "BOT_TOKEN";
    public const string TelegramBotToken = "TELEGRAM_BOT_TOKEN";
    public const string TelegramApiBaseUrl = "TELEGRAM_API_BASE_URL";
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Variables of the daemon that a worker never inherits.</summary>
    public static readonly IReadOnlySet<string> Private = new HashSet<string>(StringComparer.Ordinal)
    {
        "BOTVISOR_API_TOKEN", "BOTVISOR_TOKEN", StateId, "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "WATCHDOG_USEC", "WATCHDOG_PID",
    };

    public const string NotifySocket = "NOTIFY_SOCKET";
    public const string WatchdogUsec = "WATCHDOG_USEC";

    public static Dictionary<string, string> Build(BotSpec spec, IDictionary daemonEnvironment, IReadOnlySet<string> fleetTokens, string? notifySocket = null, string? stateId = null, WorkerAccount? account = null)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (spec.InheritEnv)
        {
            foreach (DictionaryEntry entry in daemonEnvironment)
            {
                var key = (string)entry.Key;
                var value = entry.Value as string ?? "";
                if (Private.Contains(key) || fleetTokens.Contains(value)) continue;
                env[key] = value;
            }
        }
        else
        {
            env["PATH"] = DefaultPath;
        }

        if (account?.User is { } user)
        {
            // What a login as that user would have (systemd's User= sets the same); the bot's env still wins.
            env["HOME"] = user.Home;
            env["USER"] = user.Name;
            env["LOGNAME"] = user.Name;
            env["SHELL"] = user.Shell;
        }
        foreach (var (key, value) in spec.Env) env[key] = value;

        env[BotId] = spec.Id;
        if (stateId is not null) env[StateId] = stateId;
        env[TelegramApiBaseUrl] = spec.TelegramApiBaseUrl;
        if (notifySocket is not null) env[NotifySocket] = notifySocket;
        if (spec.Watchdog is { } watchdog) env[WatchdogUsec] = ((long)(watchdog.TotalMilliseconds * 1000)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        // A gateway bot's worker gets a placeholder instead (GatewayPlaceholder); never the real token.
        if (spec.Token is { } token && !spec.Gateway)
        {
            env[BotToken] = token.Reveal();
            env[TelegramBotToken] = token.Reveal();
        }
        return env;
    }
}

/// <summary>How a worker is exec'd.</summary>
public static class WorkerCommand
{
    /// <summary>
    /// The argv to spawn. Two things must happen in the worker's own process before the bot's program
    /// runs, and posix_spawn can do neither: joining the bot's cgroup (so nothing the bot forks is ever
    /// outside it) and, with a watchdog, setting WATCHDOG_PID (systemd passes the main pid, which
    /// sd_watchdog_enabled() compares with getpid(), and it is unknown before the spawn). A one-line
    /// shell does both and exec's the bot in place, so the pid does not change. Without either, the
    /// bot is spawned directly.
    /// </summary>
    public static IReadOnlyList<string> Argv(BotSpec spec, string? cgroupProcsFile = null, WorkerAccount? account = null)
    {
        IReadOnlyList<string> command = account is null ? spec.Command : [.. account.SetprivArgv(), .. spec.Command];
        if (spec.Watchdog is null && cgroupProcsFile is null) return command;
        var script = (cgroupProcsFile is null ? "" : "echo $$ > \"$0\" || exit 126; ")
            + (spec.Watchdog is null ? "" : "WATCHDOG_PID=$$; export WATCHDOG_PID; ")
            + "exec \"$@\"";
        return ["/bin/sh", "-c", script, cgroupProcsFile ?? "botvisor-exec", .. command];
    }

    /// <summary>
    /// util-linux's setpriv, which sets the worker's uid, gid and groups and exec's the bot in the same
    /// process (posix_spawn cannot change the account; a fork in a .NET process may run no managed
    /// code before exec). Joining the cgroup happens before it, while the worker is still root.
    /// </summary>
    public static string? Setpriv { get; } = new[] { "/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv" }.FirstOrDefault(File.Exists);
}
