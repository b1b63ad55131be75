using System.Collections.Concurrent;
using Botvisor.Core.Fleet;

namespace Botvisor.Core.Gateway;

/// <summary>
/// The gateway's knowledge, without its HTTP: which placeholder stands for which bot's token in which
/// worker run, per token its poll slot and <c>retry_after</c> hold (<see cref="GatewayLine"/>), and per bot
/// id its counters. Runs are issued when a worker is spawned and revoked when it ends; a new run revokes
/// whatever run the bot, or any other bot with the same token, had. A bot that leaves the fleet (or the
/// gateway) is forgotten, so ids that come and go leave nothing behind.
/// </summary>
public sealed class GatewayRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, GatewayRun> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GatewayBot> _bots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GatewayLine> _lines = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private volatile string? _baseUrl;

    public TimeProvider Time => time;

    /// <summary>What workers get as TELEGRAM_API_BASE_URL; null until the gateway listens.</summary>
    public string? BaseUrl
    {
        get => _baseUrl;
        set => _baseUrl = value;
    }

    /// <summary>Asks Telegram for a bot's webhook, for the liveness of bots that take their updates by webhook; null: never asked.</summary>
    public IWebhookInfoSource? Webhooks { get; set; }

    /// <summary>
    /// A new run of a gateway bot, with a fresh placeholder; whatever run the bot, or another bot with the same
    /// token, had is revoked. <paramref name="epoch"/>: the lease epoch the worker is spawned under (cluster),
    /// which is the only one the run may act under; null binds the run to the epoch of its first call.
    /// </summary>
    public GatewayRun Issue(BotSpec spec, long? epoch = null)
    {
        var token = spec.Token ?? throw new ArgumentException($"bot '{spec.Id}' has no token to stand in for", nameof(spec));
        GatewayRun run;
        GatewayRun? previous, previousOfToken;
        lock (_lock)
        {
            if (!_lines.TryGetValue(token.Reveal(), out var line)) _lines[token.Reveal()] = line = new GatewayLine(time);
            var bot = _bots.GetOrAdd(spec.Id, id => new GatewayBot(id, line, time));
            var oldLine = bot.Line;
            bot.Line = line;
            run = new GatewayRun(bot, line, PlaceholderToken.For(token), token, spec.TelegramApiBaseUrl, spec.MaxPollGap, time);
            if (epoch is { } e) run.UnderEpoch(e);
            _runs[run.Placeholder] = run;
            previous = bot.Exchange(run);
            previousOfToken = line.Exchange(run);
            if (oldLine != line) DropUnused(oldLine); // the bot's token was rotated
        }
        if (previous is not null) Revoke(previous);
        if (previousOfToken is not null && previousOfToken != previous) Revoke(previousOfToken);
        return run;
    }

    /// <summary>The live run a placeholder stands for; null when it is unknown or its run has ended.</summary>
    public GatewayRun? Resolve(ReadOnlySpan<char> placeholder) =>
        _runs.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(placeholder, out var run) && run.IsLive ? run : null;

    /// <summary>The run has ended: its placeholder is refused from now on and its calls in flight are cancelled.</summary>
    public void Revoke(GatewayRun run)
    {
        _runs.TryRemove(new KeyValuePair<string, GatewayRun>(run.Placeholder, run));
        run.Bot.ClearIf(run);
        run.Line.ClearIf(run);
        run.Dispose();
    }

    /// <summary>
    /// The bot left the fleet or the gateway: its run (if one is somehow still live) is revoked and its
    /// counters, and its token's slot and hold unless another bot has the token, are dropped. A bot added
    /// again under the id starts afresh.
    /// </summary>
    public void Forget(string botId)
    {
        GatewayRun? live;
        lock (_lock)
        {
            if (!_bots.TryRemove(botId, out var bot)) return;
            live = bot.Current;
            DropUnused(bot.Line);
        }
        if (live is not null) Revoke(live);
    }

    private void DropUnused(GatewayLine line)
    {
        if (_bots.Values.Any(b => b.Line == line)) return;
        foreach (var (key, value) in _lines)
        {
            if (value != line) continue;
            _lines.Remove(key);
            return;
        }
    }

    public GatewayBot? Bot(string botId) => _bots.GetValueOrDefault(botId);

    public IEnumerable<GatewayBot> Bots => _bots.Values;

    /// <summary>Live runs (for tests and status).</summary>
    public int LiveRuns => _runs.Count;

    /// <summary>Tokens the gateway keeps a slot and hold for (for tests: nothing is left of forgotten bots).</summary>
    public int Lines
    {
        get
        {
            lock (_lock) return _lines.Count;
        }
    }
}
