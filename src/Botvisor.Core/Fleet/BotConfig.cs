namespace Botvisor.Core.Fleet;

/// <summary>
/// One bot as its source wrote it (desired state): its <see cref="BotOptions"/> (the settings it shares
/// with <c>defaults:</c>, null when not set) and what only a bot has. The effective values come from
/// <see cref="BotSpecResolver"/> with the fleet's defaults.
/// </summary>
public sealed record BotConfig : BotOptions
{
    public BotConfig()
    {
    }

    /// <summary>A bot with these options (parsed by the same code as <c>defaults:</c>).</summary>
    public BotConfig(BotOptions options) : base(options)
    {
    }

    public required string Id { get; init; }

    /// <summary>argv: the program and its arguments. Never run through a shell unless argv[0] is one.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    public string? Cwd { get; init; }
    public BotToken? Token { get; init; }
    public IReadOnlyDictionary<string, string>? Env { get; init; }
    public bool? Autostart { get; init; }
    public IReadOnlyList<string> DependsOn { get; init; } = [];
    public HttpProbeConfig? Health { get; init; }

    /// <summary>The template (<c>templates:</c>) this bot takes the keys it does not set from; null: none.</summary>
    public string? Template { get; init; }

    public bool Equals(BotConfig? other) =>
        other is not null
        && base.Equals(other)
        && Id == other.Id
        && CollectionEquality.SequenceEqual(Command, other.Command)
        && Cwd == other.Cwd
        && Equals(Token, other.Token)
        && CollectionEquality.DictionaryEqual(Env, other.Env)
        && Autostart == other.Autostart
        && CollectionEquality.SequenceEqual(DependsOn, other.DependsOn)
        && Equals(Health, other.Health)
        && Template == other.Template;

    public override int GetHashCode() => HashCode.Combine(Id, CollectionEquality.SequenceHash(Command), Cwd, Token);
}

/// <summary>Per-bot log files: rotated when a file reaches <see cref="MaxSize"/>, keeping <see cref="MaxFiles"/>.</summary>
public sealed record LogConfig
{
    public long? MaxSize { get; init; }
    public int? MaxFiles { get; init; }
}

/// <summary>How Botvisor and the worker reach the Telegram Bot API.</summary>
public sealed record TelegramConfig
{
    public string? ApiBaseUrl { get; init; }

    /// <summary>Call getMe before starting the worker: a token Telegram rejects fails the bot instead of restarting it forever.</summary>
    public bool? Validate { get; init; }

    /// <summary>Call getMe this often while the bot runs; a token revoked meanwhile stops it as Failed.</summary>
    public TimeSpan? CheckInterval { get; init; }

    /// <summary>Delete a leftover webhook before a polling bot starts (getUpdates answers 409 while one is set).</summary>
    public bool? ClearWebhook { get; init; }
}

/// <summary>When a started worker counts as ready (and <c>depends_on</c> lets its dependents start).</summary>
public enum ReadyMode
{
    /// <summary>As soon as the process is started.</summary>
    Started,

    /// <summary>When it sends <c>READY=1</c> over <c>NOTIFY_SOCKET</c> (systemd's Type=notify).</summary>
    Notify,
}

/// <summary>An HTTP liveness probe, as Kubernetes does them: GET the URL; 2xx/3xx is a success.</summary>
public sealed record HttpProbeConfig
{
    public required string Url { get; init; }
    public TimeSpan? Interval { get; init; }
    public TimeSpan? Timeout { get; init; }
    public int? Failures { get; init; }
    public TimeSpan? InitialDelay { get; init; }
}
