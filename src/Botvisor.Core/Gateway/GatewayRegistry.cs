using System.Collections.Concurrent;
using Botvisor.Core.Fleet;

namespace Botvisor.Core.Gateway;

/// <summary>
/// The gateway's knowledge, without its HTTP: which placeholder stands for which bot's token in which
/// worker run, and per bot its poll slot, <c>retry_after</c> hold and counters. Runs are issued when a
/// worker is spawned and revoked when it ends; a bot's next run revokes its previous one in any case.
/// </summary>
public sealed class GatewayRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, GatewayRun> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GatewayBot> _bots = new(StringComparer.Ordinal);
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

    /// <summary>A new run of a gateway bot, with a fresh placeholder; whatever run the bot had is revoked.</summary>
    public GatewayRun Issue(BotSpec spec)
    {
        var token = spec.Token ?? throw new ArgumentException($"bot '{spec.Id}' has no token to stand in for", nameof(spec));
        var bot = _bots.GetOrAdd(spec.Id, id => new GatewayBot(id, time));
        var run = new GatewayRun(bot, PlaceholderToken.For(token), token, spec.TelegramApiBaseUrl, spec.MaxPollGap, time);
        _runs[run.Placeholder] = run;
        if (bot.Exchange(run) is { } previous) Revoke(previous);
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
        run.Dispose();
    }

    public GatewayBot? Bot(string botId) => _bots.GetValueOrDefault(botId);

    public IEnumerable<GatewayBot> Bots => _bots.Values;

    /// <summary>Live runs (for tests and status).</summary>
    public int LiveRuns => _runs.Count;
}
