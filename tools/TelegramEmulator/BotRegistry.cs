using System.Collections.Concurrent;

namespace TelegramEmulator;

/// <summary>The emulator's bots by token.</summary>
public sealed class BotRegistry
{
    private readonly ConcurrentDictionary<string, EmulatedBot> _bots = new(StringComparer.Ordinal);
    private long _nextId = 7_000_000_001;

    public EmulatedBot Register(string username, string? token = null)
    {
        if (token is not null && !TokenFormat.IsWellFormed(token))
        {
            throw new ArgumentException($"'{username}': a token must look like a real one (digits, ':', 35 characters of A-Z a-z 0-9 _ -)");
        }
        long id = token is null ? Interlocked.Increment(ref _nextId) : long.Parse(token[..token.IndexOf(':', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
        token ??= TokenFormat.New(id);
        var bot = new EmulatedBot(id, username, token);
        if (!_bots.TryAdd(token, bot)) throw new ArgumentException($"the token of '{username}' is already registered");
        return bot;
    }

    /// <summary>The bot for a token in a Bot API URL: malformed → 404, unknown → 401, as the real server answers.</summary>
    public EmulatedBot Resolve(string token)
    {
        if (!TokenFormat.IsWellFormed(token)) throw BotApiError.NotFound();
        return _bots.TryGetValue(token, out var bot) ? bot : throw BotApiError.Unauthorized();
    }

    public EmulatedBot? Find(string token) => _bots.GetValueOrDefault(token);

    public IEnumerable<EmulatedBot> All => _bots.Values;
}
