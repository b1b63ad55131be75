using System.Globalization;
using Botvisor.Core.Fleet;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Botvisor.Core.Configuration;

/// <summary>
/// Reads <c>botvisor.yaml</c>. It walks YamlDotNet's node tree by hand (no reflection-based
/// deserializer, so it stays trim- and AOT-safe) and records the line and column of every value,
/// so that each error names file, line, column, path and value. It never stops at the first error.
/// </summary>
public sealed partial class FleetFileLoader
{
    private readonly string _file;
    private readonly List<FleetError> _errors = [];
    private readonly SourceMap _map;
    private VariableSubstitution _vars;
    private readonly Func<string, string?> _environment;

    private FleetFileLoader(string file, Func<string, string?> environment, bool expandVariables = true, IDictionary<string, string>? used = null)
    {
        _file = file;
        _map = new SourceMap(file);
        _environment = environment;
        _used = used;
        _vars = new VariableSubstitution(environment, used);
        _expandVariables = expandVariables;
    }

    private readonly bool _expandVariables;
    private readonly IDictionary<string, string>? _used;
    private bool _commandMayComeLater;

    /// <summary>
    /// Parses one bot given as a YAML or JSON document (the HTTP API's body, <c>botvisor add</c>'s
    /// snippet): the same keys and checks as a bot of the fleet file, plus <c>id</c>. Variables are
    /// not expanded: a remote caller must not read the daemon's environment.
    /// </summary>
    /// <param name="commandMayComeLater">A remote source's item: without a command of its own it takes its source's template's.</param>
    public static (BotConfig? Bot, IReadOnlyList<FleetError> Errors) ParseBotDocument(string text, string source, string? routeId, bool commandMayComeLater = false)
    {
        var loader = new FleetFileLoader(source, _ => null, expandVariables: false) { _commandMayComeLater = commandMayComeLater };
        BotConfig? bot;
        try
        {
            bot = loader.ParseBotRoot(text, routeId);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            bot = null;
            loader._errors.Add(InternalError(source, ex));
        }
        return (loader._errors.Count == 0 ? bot : null, loader._errors);
    }

    /// <summary>
    /// The last resort for a bug of ours or YamlDotNet's on some input: the error names the source (the
    /// process goes on). The fuzz tests fail on it, so each is found and made a proper error.
    /// </summary>
    internal const string InternalErrorPrefix = "could not be read (internal error: ";

    internal static FleetError InternalError(string source, Exception ex) =>
        new("", $"{InternalErrorPrefix}{ex.GetType().Name}: {ex.Message})") { File = source, Location = new SourceLocation(1, 1) };

    private BotConfig? ParseBotRoot(string text, string? routeId)
    {
        var stream = BoundedYaml.Load(text, out var failure);
        if (stream is null)
        {
            _errors.Add(new FleetError("", "the body is not valid JSON or YAML: " + failure.Message) { File = _file, Location = failure.Location });
            return null;
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            var at = stream.Documents.Count == 0 ? new SourceLocation(1, 1) : At(stream.Documents[0].RootNode);
            _errors.Add(new FleetError("", "expected an object describing one bot, such as {\"id\": \"echo\", \"command\": [\"python3\", \"echo.py\"]}") { File = _file, Location = at });
            return null;
        }
        string? id = routeId;
        var body = new YamlMappingNode();
        foreach (var (k, v) in root.Children)
        {
            if (k is YamlScalarNode { Value: "id" })
            {
                var given = String(v, "id");
                if (routeId is not null && given is not null && given != routeId)
                {
                    Error("id", v, $"the id in the body does not match the id in the path ('{routeId}')", given);
                }
                id ??= given;
                continue;
            }
            body.Add(k, v);
        }
        if (id is null)
        {
            if (_errors.Count == 0) _errors.Add(new FleetError("id", "the bot has no 'id'") { File = _file, Location = At(root) });
            return null;
        }
        return ParseBot(id, body);
    }

    /// <summary>Reads and parses a fleet file. Errors (including a missing file) are in the result, never thrown.</summary>
    public static FleetLoadResult LoadFile(string path, Func<string, string?>? environment = null, IDictionary<string, string>? used = null)
    {
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (ArgumentException ex)
        {
            return new FleetLoadResult(null, [new FleetError("", $"cannot read the fleet file: {ex.Message}") { File = path }], new SourceMap(path));
        }
        if (BoundedFile.TryReadText(full, FleetLimits.MaxFleetFileBytes, out var reason) is not { } text)
        {
            var error = new FleetError("", $"cannot read the fleet file: {reason}") { File = full };
            return new FleetLoadResult(null, [error], new SourceMap(full));
        }
        return Parse(text, full, Path.GetDirectoryName(full)!, environment, used) with { Text = text };
    }

    /// <param name="used">When given, every variable the file expanded, with its value (a cluster's fleet document carries them).</param>
    public static FleetLoadResult Parse(string text, string file, string baseDirectory, Func<string, string?>? environment = null, IDictionary<string, string>? used = null)
    {
        var loader = new FleetFileLoader(file, environment ?? Environment.GetEnvironmentVariable, used: used);
        try
        {
            var fleet = loader.ParseDocument(text, baseDirectory);
            return new FleetLoadResult(fleet, loader._errors, loader._map);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new FleetLoadResult(null, [.. loader._errors, InternalError(file, ex)], loader._map);
        }
    }

    private FleetConfig? ParseDocument(string text, string baseDirectory)
    {
        var stream = BoundedYaml.Load(text, out var failure);
        if (stream is null)
        {
            _errors.Add(new FleetError("", "the file is not valid YAML: " + failure.Message) { File = _file, Location = failure.Location });
            return null;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return new FleetConfig { BaseDirectory = baseDirectory, SourcePath = _file };
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            Error("", stream.Documents[0].RootNode, "the fleet file must be a mapping with 'defaults:' and 'bots:'");
            return null;
        }

        CheckKeys(root, "", FleetKeys.Top);
        var envFile = Find(root, "env_file");
        if (envFile is not null) LoadEnvFiles(envFile, baseDirectory);

        string? stateDir = null;
        if (Find(root, "state_dir") is { } stateNode && String(stateNode, "state_dir") is { } sd)
        {
            stateDir = Path.GetFullPath(sd, baseDirectory);
        }

        var defaults = Find(root, "defaults") is { } d ? ParseDefaults(d) : BotOptions.Empty;
        var api = Find(root, "api") is { } a ? ParseApi(a) : new ApiConfig();
        var sampleInterval = Duration(root, "", "sample_interval");
        var events = Find(root, "events") is { } ev ? ParseEvents(ev) : null;
        var cluster = ParseCluster(root);
        var templates = Find(root, "templates") is { } tp ? ParseTemplates(tp) : new Dictionary<string, BotConfig>();
        var sources = Find(root, "sources") is { } sr ? ParseSources(sr, templates) : [];
        var admin = Find(root, "admin") is { } adminNode ? ParseAdmin(adminNode) : null;
        var alerts = Find(root, "alerts") is { } alertsNode ? ParseAlerts(alertsNode) : null;
        var bots = new List<BotConfig>();
        if (Find(root, "bots") is { } botsNode)
        {
            if (botsNode is YamlMappingNode botsMap)
            {
                foreach (var (keyNode, valueNode) in botsMap.Children)
                {
                    if (KeyName(keyNode, "bots") is not { } id) continue;
                    Locate("bots." + id, keyNode);
                    var bot = ParseBot(id, valueNode);
                    if (bot is not null && WithTemplate(bot, valueNode, templates) is { } resolved) bots.Add(resolved);
                }
            }
            else if (!IsNull(botsNode))
            {
                Error("bots", botsNode, "expected a mapping of bot ids to bots");
            }
        }

        return new FleetConfig
        {
            Defaults = defaults,
            Bots = bots,
            SourcePath = _file,
            BaseDirectory = baseDirectory,
            StateDirectory = stateDir,
            Api = api,
            SampleInterval = sampleInterval,
            Events = events,
            Cluster = cluster,
            Templates = templates,
            Sources = sources,
            Admin = admin,
            Alerts = alerts,
        };
    }

    private EventRetention? ParseEvents(YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            if (!IsNull(node)) Error("events", node, "expected a mapping such as { max_age: 30d, max_count: 100000 }");
            return null;
        }
        CheckKeys(map, "events", FleetKeys.Events);
        var retention = EventRetention.Default;
        if (Find(map, "max_age") is { } a && String(a, "events.max_age") is { } text)
        {
            if (EventRetention.TryParseMaxAge(text, out var age, out var error)) retention = retention with { MaxAge = age };
            else Error("events.max_age", a, error!, text);
        }
        if (Int(map, "events", "max_count", min: 1) is { } count) retention = retention with { MaxCount = count };
        return retention;
    }

    private ApiConfig ParseApi(YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            if (!IsNull(node)) Error("api", node, "expected a mapping such as { listen: http://127.0.0.1:7070, tokens: { admin: ${BOTVISOR_ADMIN_TOKEN} } }");
            return new ApiConfig();
        }
        CheckKeys(map, "api", FleetKeys.Api);
        string? listen = null;
        if (Find(map, "listen") is { } l && String(l, "api.listen") is { } url)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == "http") listen = url;
            else Error("api.listen", l, "expected an http:// URL such as http://127.0.0.1:7070", url);
        }
        var tokens = Find(map, "tokens") is { } t ? StringMap(t, "api.tokens") : null;
        return new ApiConfig { Listen = listen, Tokens = tokens ?? new Dictionary<string, string>(), PublicMetrics = Bool(map, "api", "public_metrics") };
    }

    private void LoadEnvFiles(YamlNode node, string baseDirectory)
    {
        var files = new List<(string Path, YamlNode Node)>();
        if (node is YamlSequenceNode seq) files.AddRange(seq.Children.Select(c => (String(c, "env_file") ?? "", c)));
        else if (String(node, "env_file") is { } single) files.Add((single, node));

        var fromFiles = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, n) in files.Where(f => f.Path.Length > 0))
        {
            var full = Path.GetFullPath(path, baseDirectory);
            if (BoundedFile.TryReadText(full, FleetLimits.MaxEnvFileBytes, out var reason) is { } text)
            {
                foreach (var (k, v) in EnvFileParser.Parse(full, text, _errors)) fromFiles[k] = v;
            }
            else
            {
                Error("env_file", n, $"cannot read the env file {full}: {reason}", path);
            }
        }
        // The process environment wins over env files, as with docker compose.
        _vars = new VariableSubstitution(name => _environment(name) ?? fromFiles.GetValueOrDefault(name), _used);
    }

    private BotOptions ParseDefaults(YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            if (!IsNull(node)) Error("defaults", node, "expected a mapping");
            return BotOptions.Empty;
        }
        CheckKeys(map, "defaults", FleetKeys.Defaults);
        return ParseOptions(map, "defaults");
    }

    /// <summary>The settings <c>defaults:</c> and a bot share: one parser for both.</summary>
    private BotOptions ParseOptions(YamlMappingNode map, string p) => new()
    {
        Restart = Restart(map, p),
        Backoff = Find(map, "backoff") is { } b ? ParseBackoff(b, p + ".backoff") : null,
        MaxRestarts = Int(map, p, "max_restarts", min: 0),
        MinUptime = Duration(map, p, "min_uptime"),
        StopSignal = StopSignal(map, p),
        StopTimeout = Duration(map, p, "stop_timeout"),
        InheritEnv = Bool(map, p, "inherit_env"),
        Logs = Find(map, "logs") is { } l ? ParseLogs(l, p + ".logs") : null,
        Telegram = Find(map, "telegram") is { } t ? ParseTelegram(t, p + ".telegram") : null,
        Ready = Ready(map, p),
        StartTimeout = Duration(map, p, "start_timeout"),
        Watchdog = Duration(map, p, "watchdog"),
        MemoryMax = Size(map, p, "memory_max"),
        CpuMax = Cpus(map, p, "cpu_max"),
        User = Find(map, "user") is { } user ? String(user, p + ".user") : null,
        Group = Find(map, "group") is { } group ? String(group, p + ".group") : null,
        Gateway = Bool(map, p, "gateway"),
        Liveness = Find(map, "liveness") is { } live ? ParseLiveness(live, p + ".liveness") : null,
    };

    private LivenessConfig? ParseLiveness(YamlNode node, string p)
    {
        if (node is not YamlMappingNode map)
        {
            Error(p, node, "expected a mapping such as { max_poll_gap: 2m }");
            return null;
        }
        CheckKeys(map, p, FleetKeys.Liveness);
        return new LivenessConfig { MaxPollGap = Duration(map, p, "max_poll_gap") };
    }

    /// <param name="asTemplate">A template (<c>templates:</c>): no token, no template of its own, no command needed.</param>
    private BotConfig? ParseBot(string id, YamlNode node, bool asTemplate = false)
    {
        string p = (asTemplate ? "templates." : "bots.") + id;
        if (node is not YamlMappingNode map)
        {
            Error(p, node, asTemplate ? "expected a mapping of bot keys (a bot definition without a token)" : "expected a mapping with at least 'command:'");
            return null;
        }
        CheckKeys(map, p, asTemplate ? FleetKeys.Template : FleetKeys.Bot);

        string? template = null;
        if (!asTemplate && Find(map, "template") is { } templateNode) template = String(templateNode, p + ".template");

        IReadOnlyList<string> command = [];
        if (Find(map, "command") is { } cmdNode) command = Command(cmdNode, p + ".command");
        else if (!asTemplate && template is null && !_commandMayComeLater) Error(p, map, "the bot has no 'command:' (and no 'template:' to take one from)");

        BotToken? token = null;
        if (!asTemplate && Find(map, "token") is { } tokenNode && String(tokenNode, p + ".token") is { Length: > 0 } t)
        {
            token = new BotToken(t);
        }

        return new BotConfig(ParseOptions(map, p))
        {
            Id = id,
            Template = template,
            Command = command,
            Cwd = Find(map, "cwd") is { } cwd ? String(cwd, p + ".cwd") : null,
            Token = token,
            Env = Find(map, "env") is { } env ? StringMap(env, p + ".env") : null,
            Autostart = Bool(map, p, "autostart"),
            DependsOn = Find(map, "depends_on") is { } deps ? StringList(deps, p + ".depends_on") : [],
            Health = Find(map, "health") is { } h ? ParseHealth(h, p + ".health") : null,
        };
    }

    private BackoffConfig? ParseBackoff(YamlNode node, string p)
    {
        if (node is not YamlMappingNode map)
        {
            Error(p, node, "expected a mapping such as { initial: 1s, multiplier: 2, max: 1m, jitter: 0.2 }");
            return null;
        }
        CheckKeys(map, p, FleetKeys.Backoff);
        return new BackoffConfig
        {
            Initial = Duration(map, p, "initial"),
            Multiplier = Double(map, p, "multiplier"),
            Max = Duration(map, p, "max"),
            Jitter = Double(map, p, "jitter"),
        };
    }

    private HttpProbeConfig? ParseHealth(YamlNode node, string p)
    {
        if (node is not YamlMappingNode map)
        {
            Error(p, node, "expected a mapping such as { http: http://127.0.0.1:8081/healthz, interval: 10s, timeout: 2s, failures: 3 }");
            return null;
        }
        CheckKeys(map, p, FleetKeys.Health);
        if (Find(map, "http") is not { } urlNode)
        {
            Error(p, map, "the health check has no 'http:' URL");
            return null;
        }
        var url = String(urlNode, p + ".http");
        if (url is null) return null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            Error(p + ".http", urlNode, "expected an http:// URL such as http://127.0.0.1:8081/healthz", url);
            return null;
        }
        return new HttpProbeConfig
        {
            Url = url,
            Interval = Duration(map, p, "interval"),
            Timeout = Duration(map, p, "timeout"),
            Failures = Int(map, p, "failures", min: 1),
            InitialDelay = Duration(map, p, "initial_delay"),
        };
    }

    private ReadyMode? Ready(YamlMappingNode map, string p)
    {
        if (Find(map, "ready") is not { } node || String(node, p + ".ready") is not { } text) return null;
        switch (text)
        {
            case "started": return ReadyMode.Started;
            case "notify": return ReadyMode.Notify;
            default:
                Error(p + ".ready", node, "unknown readiness; use started or notify", text);
                return null;
        }
    }

    private long? Size(YamlMappingNode map, string p, string key)
    {
        if (Find(map, key) is not { } node || String(node, p + "." + key) is not { } text) return null;
        if (ByteSizeParser.TryParse(text, out long bytes, out var error) && bytes > 0) return bytes;
        Error(p + "." + key, node, error ?? "must be more than zero", text);
        return null;
    }

    /// <summary>A CPU quota in CPUs: <c>0.5</c> is half of one CPU, <c>2</c> is two whole CPUs.</summary>
    private double? Cpus(YamlMappingNode map, string p, string key)
    {
        if (Find(map, key) is not { } node || String(node, p + "." + key) is not { } text) return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= 0.01 && value <= 1024) return value;
        Error(p + "." + key, node, "expected a number of CPUs from 0.01 to 1024, such as 0.5 for half of one CPU", text);
        return null;
    }

    private LogConfig? ParseLogs(YamlNode node, string p)
    {
        if (node is not YamlMappingNode map)
        {
            Error(p, node, "expected a mapping such as { max_size: 10MiB, max_files: 5 }");
            return null;
        }
        CheckKeys(map, p, FleetKeys.Logs);
        long? size = null;
        if (Find(map, "max_size") is { } s && String(s, p + ".max_size") is { } text)
        {
            if (ByteSizeParser.TryParse(text, out long bytes, out var err)) size = bytes;
            else Error(p + ".max_size", s, err!, text);
        }
        return new LogConfig { MaxSize = size, MaxFiles = Int(map, p, "max_files", min: 1) };
    }

    private TelegramConfig? ParseTelegram(YamlNode node, string p)
    {
        if (node is not YamlMappingNode map)
        {
            Error(p, node, "expected a mapping such as { api_base_url: https://api.telegram.org, validate: true, check_interval: 5m, clear_webhook: false }");
            return null;
        }
        CheckKeys(map, p, FleetKeys.Telegram);
        string? baseUrl = null;
        if (Find(map, "api_base_url") is { } u && String(u, p + ".api_base_url") is { } url)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") baseUrl = url;
            else Error(p + ".api_base_url", u, "expected an http:// or https:// URL such as https://api.telegram.org", url);
        }
        return new TelegramConfig
        {
            ApiBaseUrl = baseUrl,
            Validate = Bool(map, p, "validate"),
            CheckInterval = Duration(map, p, "check_interval"),
            ClearWebhook = Bool(map, p, "clear_webhook"),
        };
    }

    // ---- typed values -------------------------------------------------------------------------

    private IReadOnlyList<string> Command(YamlNode node, string path)
    {
        if (node is YamlSequenceNode)
        {
            return StringList(node, path);
        }
        var text = String(node, path);
        if (text is null) return [];
        if (CommandLineSplitter.TrySplit(text, out var argv, out var error)) return argv;
        Error(path, node, error!, text);
        return [];
    }

    private RestartPolicy? Restart(YamlMappingNode map, string p)
    {
        if (Find(map, "restart") is not { } node || String(node, p + ".restart") is not { } text) return null;
        if (RestartPolicyNames.TryParse(text, out var policy)) return policy;
        Error(p + ".restart", node, $"unknown restart policy; use one of {string.Join(", ", RestartPolicyNames.All)}", text);
        return null;
    }

    private string? StopSignal(YamlMappingNode map, string p)
    {
        if (Find(map, "stop_signal") is not { } node || String(node, p + ".stop_signal") is not { } text) return null;
        if (Signals.TryParseStopSignal(text, out _)) return text;
        Error(p + ".stop_signal", node, $"unknown stop signal; use one of {string.Join(", ", Signals.StopSignalNames)}", text);
        return null;
    }

    private TimeSpan? Duration(YamlMappingNode map, string p, string key)
    {
        var path = p.Length == 0 ? key : p + "." + key;
        if (Find(map, key) is not { } node || String(node, path) is not { } text) return null;
        if (DurationParser.TryParse(text, out var value, out var error))
        {
            if (value <= LongestDuration) return value;
            error = $"'{text}' is longer than Botvisor can wait for; use at most {DurationParser.Format(LongestDuration)}";
        }
        Error(path, node, error!, text);
        return null;
    }

    /// <summary>The longest duration a setting may have: every one becomes a timer, and the platform's longest is about 49 days.</summary>
    public static readonly TimeSpan LongestDuration = TimeSpan.FromDays(30);

    private int? Int(YamlMappingNode map, string p, string key, int min)
    {
        if (Find(map, key) is not { } node || String(node, p + "." + key) is not { } text) return null;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min) return value;
        Error(p + "." + key, node, $"expected a whole number of at least {min}", text);
        return null;
    }

    private double? Double(YamlMappingNode map, string p, string key)
    {
        if (Find(map, key) is not { } node || String(node, p + "." + key) is not { } text) return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) return value;
        Error(p + "." + key, node, "expected a number", text);
        return null;
    }

    private bool? Bool(YamlMappingNode map, string p, string key)
    {
        if (Find(map, key) is not { } node || String(node, p + "." + key) is not { } text) return null;
        switch (text)
        {
            case "true" or "yes" or "on": return true;
            case "false" or "no" or "off": return false;
            default:
                Error(p + "." + key, node, "expected true or false", text);
                return null;
        }
    }

    private List<string> StringList(YamlNode node, string path)
    {
        var list = new List<string>();
        if (node is YamlSequenceNode seq)
        {
            for (int i = 0; i < seq.Children.Count; i++)
            {
                if (String(seq.Children[i], $"{path}[{i}]") is { } s) list.Add(s);
            }
        }
        else if (!IsNull(node))
        {
            Error(path, node, "expected a list such as [a, b]");
        }
        return list;
    }

    private Dictionary<string, string>? StringMap(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            if (!IsNull(node)) Error(path, node, "expected a mapping of names to values");
            return null;
        }
        var dict = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            if (KeyName(k, path) is not { } key) continue;
            if (String(v, path + "." + key) is { } value) dict[key] = value;
        }
        return dict;
    }

    /// <summary>A scalar's text with ${VAR} expanded; null (and an error) when it is not a scalar or a variable is missing.</summary>
    private string? String(YamlNode node, string path)
    {
        Locate(path, node);
        if (node is not YamlScalarNode scalar)
        {
            Error(path, node, "expected a single value, not a list or mapping");
            return null;
        }
        var raw = scalar.Value ?? "";
        if (raw.Contains('\0', StringComparison.Ordinal))
        {
            // No path, argument or environment variable of a process can hold one.
            Error(path, node, "the value contains a NUL character (\\0)");
            return null;
        }
        if (!_expandVariables) return raw;
        if (!_vars.TryExpand(raw, out var expanded, out var undefined))
        {
            Error(path, node, $"the environment variable {string.Join(", ", undefined)} is not defined (set it, or add it to an env_file)", raw);
            return null;
        }
        if (expanded.Contains('\0', StringComparison.Ordinal))
        {
            Error(path, node, "the value contains a NUL character (\\0) once its variables are expanded", raw);
            return null;
        }
        return expanded;
    }

    /// <summary>A mapping key's text; null (and an error) for a list or mapping used as a key.</summary>
    private string? KeyName(YamlNode key, string path)
    {
        if (key is YamlScalarNode scalar) return scalar.Value ?? "";
        Error(path, key, "a key must be a single value, not a list or mapping");
        return null;
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static YamlNode? Find(YamlMappingNode map, string key)
    {
        foreach (var (k, v) in map.Children)
        {
            if (k is YamlScalarNode { Value: var name } && name == key) return v;
        }
        return null;
    }

    private void CheckKeys(YamlMappingNode map, string path, string[] known)
    {
        foreach (var (k, _) in map.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (!known.Contains(name))
            {
                var keyPath = path.Length == 0 ? name : path + "." + name;
                Error(keyPath, k, SpellingSuggester.UnknownKeyMessage(name, known));
            }
        }
    }

    private static bool IsNull(YamlNode node) => node is YamlScalarNode { Value: null or "" or "~" or "null" };

    private void Locate(string path, YamlNode node) => _map.Add(path, At(node));

    private static SourceLocation At(YamlNode node) =>
        new((int)Math.Clamp(node.Start.Line, 1, int.MaxValue), (int)Math.Clamp(node.Start.Column, 1, int.MaxValue));

    private void Error(string path, YamlNode node, string message, string? value = null) =>
        _errors.Add(new FleetError(path, message)
        {
            File = _file,
            Location = At(node),
            Value = value,
        });
}
