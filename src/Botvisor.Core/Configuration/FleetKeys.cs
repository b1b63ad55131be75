namespace Botvisor.Core.Configuration;

/// <summary>The keys the fleet file knows, per section, for unknown-key errors and suggestions.</summary>
public static class FleetKeys
{
    public static readonly string[] Top = ["defaults", "bots", "env_file", "state_dir", "api", "sample_interval", "events", "templates", "sources", "store", "node", "cluster", "admin", "alerts"];

    public static readonly string[] Cluster = ["lease", "renew_deadline", "retry", "advertise"];

    public static readonly string[] Events = ["max_age", "max_count"];

    public static readonly string[] Api = ["listen", "tokens", "public_metrics"];

    public static readonly string[] Admin = ["token", "users", "chats", "roles", "api_base_url", "confirm_for"];
    public static readonly string[] Alerts = ["webhooks", "wait", "group", "repeat", "unhealthy_after", "restart_storm", "digest_after"];
    public static readonly string[] Webhook = ["url", "headers"];
    public static readonly string[] RestartStorm = ["restarts", "within"];

    /// <summary>The keys of <see cref="Fleet.BotOptions"/>: what <c>defaults:</c> and a bot share.</summary>
    public static readonly string[] Options =
        ["restart", "backoff", "max_restarts", "min_uptime", "stop_signal", "stop_timeout", "inherit_env", "logs", "telegram",
         "ready", "start_timeout", "watchdog", "memory_max", "cpu_max", "user", "group",
         "gateway", "liveness"];

    public static readonly string[] Defaults = Options;

    public static readonly string[] Bot = ["command", "cwd", "token", "env", "autostart", "depends_on", "health", "template", .. Options];

    /// <summary>A template is a bot without a token (its <c>token</c> key is reported as such) and without a template of its own.</summary>
    public static readonly string[] Template = ["command", "cwd", "token", "env", "autostart", "depends_on", "health", .. Options];

    public static readonly string[] Source = ["url", "interval", "timeout", "headers", "template", "max_removal", "items", "pages", "map"];
    public static readonly string[] SourcePages = ["next", "link", "number", "size", "per_page", "first", "total"];
    public static readonly string[] SourceMap = ["id", "token", "env", "enabled", "filter"];

    public static readonly string[] Health = ["http", "interval", "timeout", "failures", "initial_delay"];

    public static readonly string[] Backoff = ["initial", "multiplier", "max", "jitter"];
    public static readonly string[] Logs = ["max_size", "max_files"];
    public static readonly string[] Liveness = ["max_poll_gap"];
    public static readonly string[] Telegram = ["api_base_url", "validate", "check_interval", "clear_webhook"];
}
