using System.Text;
using System.Text.Json;
using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;
using Botvisor.Core.Validation;

namespace Botvisor.Core.Sources.Remote;

/// <summary>
/// Turns a source's pages into entries, one per item (pure): by the source's mapping, or, without one,
/// each item a bot definition in the fleet file's keys. An item that cannot be a bot (no id, a bad id,
/// no token, a malformed token, an id given twice) is rejected alone with its reason; items the filter
/// says are someone else's, and disabled ones, are left out without a word.
/// </summary>
public static class FeedReader
{
    /// <summary>The list of items in a page; throws <see cref="FeedException"/> when there is none where the source says.</summary>
    public static JsonElement Items(RemoteSourceConfig source, JsonElement page, int pageNumber)
    {
        if (source.Items is { } path)
        {
            if (JsonPath.TryFind(page, path, out var found) && found.ValueKind == JsonValueKind.Array) return found;
            throw new FeedException($"page {pageNumber} has no list of items at '{path}'");
        }
        if (page.ValueKind == JsonValueKind.Array) return page;
        if (page.ValueKind == JsonValueKind.Object && page.TryGetProperty("bots", out var bots) && bots.ValueKind == JsonValueKind.Array) return bots;
        throw new FeedException($"page {pageNumber} is neither a list of bots nor an object with a 'bots' list (set the source's 'items:' to where the list is)");
    }

    public static FeedExtract Read(RemoteSourceConfig source, IEnumerable<JsonElement> items)
    {
        var entries = new List<FeedEntry>();
        var firstIndexOfId = new Dictionary<string, int>(StringComparer.Ordinal);
        int index = 0, filtered = 0, disabled = 0;
        foreach (var item in items)
        {
            index++;
            FeedEntry? entry;
            if (source.Map is { } map && item.ValueKind == JsonValueKind.Object)
            {
                if (!Matches(item, map))
                {
                    filtered++;
                    continue;
                }
                if (map.Enabled is { } enabledPath && JsonPath.Text(item, enabledPath) != "true")
                {
                    disabled++;
                    continue;
                }
                entry = Mapped(source, map, item, index);
            }
            else if (source.Map is not null)
            {
                entry = new FeedEntry { Index = index, Rejection = "the item is not a JSON object" };
            }
            else
            {
                entry = Native(source, item, index);
            }
            if (entry.Rejection is null && entry.Id is { } id)
            {
                if (firstIndexOfId.TryGetValue(id, out int first)) entry = entry.Reject($"the id '{id}' is also given by item {first}");
                else firstIndexOfId[id] = index;
            }
            entries.Add(entry);
        }
        return new FeedExtract(entries, filtered, disabled);
    }

    private static bool Matches(JsonElement item, FeedMapping map) =>
        map.Filter.All(f => JsonPath.Text(item, f.Key) == f.Value);

    private static FeedEntry Mapped(RemoteSourceConfig source, FeedMapping map, JsonElement item, int index)
    {
        var entry = new FeedEntry { Index = index };
        var id = JsonPath.Text(item, map.Id);
        if (string.IsNullOrEmpty(id)) return entry.Reject($"it has no id ('{map.Id}' is missing or empty)");
        if (!BotIdValidator.IsValid(id)) return entry.Reject($"'{Printable(id)}' (from '{map.Id}') is not a valid bot id: it must start with a lowercase letter or digit and contain only a-z, 0-9, '_' and '-' (at most 63 characters)") with { Id = Printable(id) };
        entry = entry with { Id = id };
        var token = JsonPath.Text(item, map.Token);
        if (string.IsNullOrEmpty(token)) return entry.Reject($"it has no token ('{map.Token}' is missing, null or empty)");
        if (!TokenValidator.IsTelegramShape(token)) return entry.Reject($"its token ({BotToken.Mask(token)}, from '{map.Token}') is not a Telegram bot token");
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, path) in map.Env)
        {
            if (JsonPath.Text(item, path) is { } value)
            {
                if (value.Contains('\0', StringComparison.Ordinal)) return entry.Reject($"the value of {name} (from '{path}') contains a NUL character");
                env[name] = value;
            }
        }
        // No template in the bot: the controller applies the source's, as the fleet file says at the time.
        var bot = new BotConfig { Id = id, Token = new BotToken(token), Env = env.Count > 0 ? env : null };
        return entry with { Bot = bot, Document = Document(bot) };
    }

    private static FeedEntry Native(RemoteSourceConfig source, JsonElement item, int index)
    {
        var entry = new FeedEntry { Index = index };
        if (item.ValueKind != JsonValueKind.Object) return entry.Reject("the item is not a JSON object with the fleet file's keys");
        var id = JsonPath.Text(item, "id");
        if (!string.IsNullOrEmpty(id) && !BotIdValidator.IsValid(id)) return entry.Reject($"'{Printable(id)}' is not a valid bot id: it must start with a lowercase letter or digit and contain only a-z, 0-9, '_' and '-' (at most 63 characters)") with { Id = Printable(id) };
        entry = entry with { Id = string.IsNullOrEmpty(id) ? null : id };
        // The account a bot runs as is this node's decision (the source's template may set it), never the platform's.
        foreach (var key in ForbiddenKeys)
        {
            if (item.TryGetProperty(key, out _)) return entry.Reject($"'{key}' cannot come from a source: set it on the source's template in the fleet file");
        }
        var document = item.GetRawText();
        var (bot, errors) = FleetFileLoader.ParseBotDocument(document, $"source {source.Name}", routeId: null, commandMayComeLater: true);
        if (bot is null) return entry.Reject(string.Join("; ", errors.Select(e => e.Path.Length == 0 ? e.Message : $"{e.Path}: {e.Message}")));
        if (bot.Token is null) return entry.Reject("it has no token");
        if (!TokenValidator.IsTelegramShape(bot.Token.Reveal())) return entry.Reject($"its token ({bot.Token.Masked}) is not a Telegram bot token");
        return entry with { Bot = bot, Document = document };
    }

    /// <summary>A mapped bot as a document in the fleet file's keys (what the store keeps; read back by <see cref="FleetFileLoader.ParseBotDocument"/>).</summary>
    public static string Document(BotConfig bot)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", bot.Id);
            if (bot.Token is not null) json.WriteString("token", bot.Token.Reveal());
            if (bot.Env is { Count: > 0 } env)
            {
                json.WriteStartObject("env");
                foreach (var (name, value) in env) json.WriteString(name, value);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Keys a source's item may not give: the account the worker runs as.</summary>
    private static readonly string[] ForbiddenKeys = ["user", "group"];

    /// <summary>An id as a rejection may show it: a token-shaped one masked, at most 80 characters, control characters escaped.</summary>
    private static string Printable(string id)
    {
        if (TokenValidator.LooksLikeTelegramToken(id)) return BotToken.Mask(id);
        var shown = id.Length > 80 ? id[..80] + "…" : id;
        return string.Concat(shown.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }
}
