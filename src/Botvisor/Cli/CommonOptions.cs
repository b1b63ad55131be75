using System.CommandLine;

namespace Botvisor.Cli;

/// <summary>Options several verbs share.</summary>
internal static class CommonOptions
{
    public static readonly Option<string?> Config = new("--config", "-c")
    {
        Description = "The fleet file (default: $BOTVISOR_CONFIG, else ./botvisor.yaml)",
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

    public static string ResolveConfigPath(string? option) =>
        Path.GetFullPath(option ?? Environment.GetEnvironmentVariable("BOTVISOR_CONFIG") ?? "botvisor.yaml");

    static CommonOptions()
    {
        LogFormat.AcceptOnlyFromAmong("text", "json");
    }
}
