namespace Botvisor.Core.Fleet;

/// <summary>
/// The fleet file's <c>alerts:</c> section: webhook receivers and the timings of grouping, in the
/// spirit of Alertmanager (wait 30s, group 5m, repeat 4h). Null settings take <see cref="AlertDefaults"/>.
/// </summary>
public sealed record AlertsConfig
{
    public IReadOnlyList<WebhookConfig> Webhooks { get; init; } = [];

    /// <summary>A problem (or a recovery) is held this long before it is told; one that clears meanwhile is never sent.</summary>
    public TimeSpan? Wait { get; init; }

    /// <summary>At least this long between two notifications; what becomes due meanwhile is sent together.</summary>
    public TimeSpan? Group { get; init; }

    /// <summary>A problem that lasts is told again this often.</summary>
    public TimeSpan? Repeat { get; init; }

    /// <summary>A bot unhealthy for this long is an alert.</summary>
    public TimeSpan? UnhealthyAfter { get; init; }

    /// <summary>This many restarts of one bot within <see cref="StormWindow"/> is a restart storm.</summary>
    public int? StormRestarts { get; init; }

    public TimeSpan? StormWindow { get; init; }

    /// <summary>A notification of more than this many alerts is a digest.</summary>
    public int? DigestAfter { get; init; }

    public static readonly AlertsConfig Empty = new();
}

/// <summary>A webhook receiver: alerts are POSTed to it as JSON (schema in the README).</summary>
public sealed record WebhookConfig
{
    public required string Url { get; init; }

    /// <summary>Extra request headers (an <c>Authorization</c>, say). Values are secrets: never logged.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>The URL as it may be shown: scheme, host and port only (a path often carries a secret).</summary>
    public string Display => Uri.TryCreate(Url, UriKind.Absolute, out var u) ? $"{u.Scheme}://{u.Authority}/…" : "webhook";
}

/// <summary>The built-in alert timings.</summary>
public static class AlertDefaults
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan Group = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan Repeat = TimeSpan.FromHours(4);
    public static readonly TimeSpan UnhealthyAfter = TimeSpan.FromMinutes(2);
    public const int StormRestarts = 5;
    public static readonly TimeSpan StormWindow = TimeSpan.FromMinutes(10);
    public const int DigestAfter = 5;

    /// <summary>A one-off problem (a 409 from another poller, a memory-limit kill, a storm) is over after this long without a repeat.</summary>
    public static readonly TimeSpan QuietResolve = TimeSpan.FromMinutes(10);
}
