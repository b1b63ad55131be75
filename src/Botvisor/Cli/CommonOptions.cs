using System.CommandLine;

namespace Botvisor.Cli;

/// <summary>Options several verbs share.</summary>
internal static class CommonOptions
{
    public static readonly Option<string?> Config = new("--config", "-c")
    {
        Description = "The fleet file (default: $BOTVISOR_CONFIG, else ./botvisor.yaml, else the installed service's /etc/botvisor/botvisor.yaml)",
    };

    public static readonly Option<string?> StateDir = new("--state-dir")
    {
        Description = "Where the database, lock and bot logs live (default: $BOTVISOR_STATE_DIR, the fleet file's state_dir, else .botvisor next to the fleet file)",
    };

    public static readonly Option<string> LogFormat = new("--log-format")
    {
        Description = "The daemon's own log lines: text or json",
        DefaultValueFactory = _ => "text",
    };

    /// <summary>The fleet file of an installed service (deploy/install.sh).</summary>
    public const string SystemConfig = "/etc/botvisor/botvisor.yaml";

    /// <summary>--config, $BOTVISOR_CONFIG, ./botvisor.yaml; when there is none, the installed service's file if there is one.</summary>
    public static string ResolveConfigPath(string? option)
    {
        if ((option ?? Environment.GetEnvironmentVariable("BOTVISOR_CONFIG")) is { Length: > 0 } given) return Path.GetFullPath(given);
        var local = Path.GetFullPath("botvisor.yaml");
        return !File.Exists(local) && File.Exists(SystemConfig) ? SystemConfig : local;
    }

    static CommonOptions()
    {
        LogFormat.AcceptOnlyFromAmong("text", "json");
    }

    /// <summary>What to do when there is no fleet file where one was looked for.</summary>
    public const string MissingFleetFileHint =
        "hint: `botvisor init` writes a commented starter file there; samples/fleet/botvisor.yaml is a complete example; --config FILE (or BOTVISOR_CONFIG) names another";
}
