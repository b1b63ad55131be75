using Botvisor.Core.Configuration;
using Botvisor.Hosting;

namespace Botvisor.Cli;

/// <summary>
/// Where the CLI finds the daemon: <c>--url</c> or <c>BOTVISOR_URL</c>; else the local daemon's Unix
/// socket in its state directory (no token needed: file permissions protect it); else the default
/// address <c>http://127.0.0.1:7070</c>.
/// </summary>
internal sealed record DaemonEndpoint(Uri BaseAddress, string? SocketPath, string? Token)
{
    public string Describe() => SocketPath is not null ? $"the local daemon's socket {SocketPath}" : BaseAddress.ToString();

    public static DaemonEndpoint Resolve(string? url, string? token, string? stateDir, string? config)
    {
        token ??= Environment.GetEnvironmentVariable("BOTVISOR_TOKEN");
        url ??= Environment.GetEnvironmentVariable("BOTVISOR_URL");
        if (!string.IsNullOrEmpty(url)) return new DaemonEndpoint(new Uri(url.EndsWith('/') ? url : url + "/"), null, token);

        var socket = Path.Combine(StateDirectory(stateDir, config), DaemonOptions.SocketFileName);
        if (File.Exists(socket)) return new DaemonEndpoint(new Uri("http://localhost/"), socket, token);
        return new DaemonEndpoint(new Uri(DaemonOptions.DefaultListen + "/"), null, token);
    }

    /// <summary>The same rule as <c>botvisor run</c>: --state-dir, $BOTVISOR_STATE_DIR, the fleet file's state_dir, .botvisor beside it.</summary>
    public static string StateDirectory(string? stateDir, string? config)
    {
        if (stateDir is not null) return Path.GetFullPath(stateDir);
        if (Environment.GetEnvironmentVariable("BOTVISOR_STATE_DIR") is { Length: > 0 } env) return Path.GetFullPath(env);
        var configPath = CommonOptions.ResolveConfigPath(config);
        if (File.Exists(configPath))
        {
            var loaded = FleetFileLoader.LoadFile(configPath);
            if (loaded.Fleet?.StateDirectory is { } fromFile) return fromFile;
        }
        return Path.Combine(Path.GetDirectoryName(configPath)!, ".botvisor");
    }
}
