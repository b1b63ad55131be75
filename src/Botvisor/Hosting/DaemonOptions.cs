using Botvisor.Api.Auth;

namespace Botvisor.Hosting;

/// <summary>How <c>botvisor run</c> was asked to run.</summary>
public sealed record DaemonOptions
{
    public const string DefaultListen = "http://127.0.0.1:7070";
    public const string SocketFileName = "botvisor.sock";

    public required string ConfigPath { get; init; }
    public required string StateDirectory { get; init; }
    public string LogFormat { get; init; } = "text";

    /// <summary>The HTTP listen URL (port 0 picks a free port).</summary>
    public string Listen { get; init; } = DefaultListen;

    /// <summary>Why the listen address was moved to loopback, if it was.</summary>
    public string? LoopbackReason { get; init; }

    public ApiSecurityOptions Security { get; init; } = new();

    public string DatabasePath => Path.Combine(StateDirectory, "botvisor.db");
    public string LogDirectory => Path.Combine(StateDirectory, "logs");
    public string SocketPath => Path.Combine(StateDirectory, SocketFileName);

    /// <summary>The sd_notify socket workers get as NOTIFY_SOCKET.</summary>
    public string NotifySocketPath => Path.Combine(StateDirectory, "notify.sock");

    /// <summary>The same socket under an abstract name, for senders that use one ("@botvisor-…").</summary>
    public string NotifyAbstractName => "botvisor-" + StateDirectoryHash();

    /// <summary>The mark every worker of this state directory carries in its environment (<c>BOTVISOR_STATE_ID</c>).</summary>
    public string WorkerMark => StateDirectoryHash();

    /// <summary>Per-bot cgroups: <c>auto</c> (where this process may manage cgroup v2), <c>off</c>, or a cgroup v2 directory to manage.</summary>
    public string Cgroups { get; init; } = "auto";

    /// <summary>The tree's name when the daemon runs in the hierarchy's root: one per state directory.</summary>
    public string CgroupTreeName => "botvisor-" + NotifyAbstractName["botvisor-".Length..];

    /// <summary>How long the event log keeps events (the fleet file's <c>events:</c>, read at start).</summary>
    public Core.Fleet.EventRetention Events { get; init; } = Core.Fleet.EventRetention.Default;

    /// <summary>In a cluster (a PostgreSQL store): the store, this node's name, its advertised address and the lease timing; null: one node on SQLite.</summary>
    public ClusterOptions? Cluster { get; init; }

    /// <summary>The admin bot (the fleet file's <c>admin:</c>, read at start), or null.</summary>
    public Core.Fleet.AdminConfig? Admin { get; init; }

    /// <summary>Alert timings and webhooks (the fleet file's <c>alerts:</c>, read at start).</summary>
    public Core.Fleet.AlertsConfig Alerts { get; init; } = Core.Fleet.AlertsConfig.Empty;

    /// <summary>How often worker resources are sampled.</summary>
    public TimeSpan SampleInterval { get; init; } = Core.Health.ResourceSampler.DefaultInterval;

    /// <summary>
    /// 16 hex digits that tell state directories apart (FNV-1a, 64 bits, of the path's UTF-8). Not a
    /// cryptographic hash on purpose: the first SHA-256 would load and initialise OpenSSL, 4 MiB of
    /// resident libraries in a daemon that has no other use for them.
    /// </summary>
    private string StateDirectoryHash()
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(StateDirectory))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        return hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }
}
