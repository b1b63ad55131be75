using System.Globalization;
using Botvisor.Core.Fleet;
using Botvisor.Core.Sources.Remote;
using Botvisor.Core.Validation;
using YamlDotNet.RepresentationModel;

namespace Botvisor.Core.Configuration;

/// <summary>The fleet file's <c>templates:</c> and <c>sources:</c> sections.</summary>
public sealed partial class FleetFileLoader
{
    private Dictionary<string, BotConfig> ParseTemplates(YamlNode node)
    {
        var templates = new Dictionary<string, BotConfig>(StringComparer.Ordinal);
        if (node is not YamlMappingNode map)
        {
            if (!IsNull(node)) Error("templates", node, "expected a mapping of template names to bot definitions without a token, such as { replica: { command: [node, dist/bot.js] } }");
            return templates;
        }
        foreach (var (keyNode, valueNode) in map.Children)
        {
            if (KeyName(keyNode, "templates") is not { } name) continue;
            Locate("templates." + name, keyNode);
            if (!BotIdValidator.IsValid(name))
            {
                Error("templates." + name, keyNode, "a template name must start with a lowercase letter or digit and contain only a-z, 0-9, '_' and '-'", name);
                continue;
            }
            if (valueNode is YamlMappingNode tm && Find(tm, "token") is { } tokenNode)
            {
                Error($"templates.{name}.token", tokenNode, "a template has no token: each bot (or each item of a source) gives its own");
            }
            if (ParseBot(name, valueNode, asTemplate: true) is { } template) templates[name] = template;
        }
        return templates;
    }

    /// <summary>The bot with its template applied; null (and an error at its <c>template:</c>) when the template is not defined.</summary>
    private BotConfig? WithTemplate(BotConfig bot, YamlNode node, IReadOnlyDictionary<string, BotConfig> templates)
    {
        if (bot.Template is null) return bot;
        if (BotTemplates.TryApply(bot, templates) is { } resolved)
        {
            if (resolved.Command.Count == 0) Error("bots." + bot.Id, node, $"neither the bot nor its template '{bot.Template}' has a 'command:'");
            return resolved;
        }
        var at = node is YamlMappingNode map && Find(map, "template") is { } t ? t : node;
        Error($"bots.{bot.Id}.template", at, UnknownTemplate(bot.Template, templates), bot.Template);
        return null;
    }

    private static string UnknownTemplate(string name, IReadOnlyDictionary<string, BotConfig> templates) =>
        templates.Count == 0 ? $"there is no template '{name}': the fleet file has no 'templates:' section"
            : SpellingSuggester.UnknownKeyMessage(name, [.. templates.Keys]).Replace("unknown key", "unknown template", StringComparison.Ordinal);

    private List<RemoteSourceConfig> ParseSources(YamlNode node, IReadOnlyDictionary<string, BotConfig> templates)
    {
        var sources = new List<RemoteSourceConfig>();
        if (node is not YamlMappingNode map)
        {
            if (!IsNull(node)) Error("sources", node, "expected a mapping of source names to sources, such as { sensay: { url: https://api.example.com/bots, template: replica } }");
            return sources;
        }
        foreach (var (keyNode, valueNode) in map.Children)
        {
            if (KeyName(keyNode, "sources") is not { } name) continue;
            Locate("sources." + name, keyNode);
            if (!BotIdValidator.IsValid(name) || name == Sources.ApiFleetSource.SourceName)
            {
                Error("sources." + name, keyNode, "a source name must start with a lowercase letter or digit, contain only a-z, 0-9, '_' and '-', and not be 'api'", name);
                continue;
            }
            if (ParseSource(name, valueNode, templates) is { } source) sources.Add(source);
        }
        return sources;
    }

    private RemoteSourceConfig? ParseSource(string name, YamlNode node, IReadOnlyDictionary<string, BotConfig> templates)
    {
        string p = "sources." + name;
        if (node is not YamlMappingNode map)
        {
            Error(p, node, "expected a mapping with at least 'url:'");
            return null;
        }
        CheckKeys(map, p, FleetKeys.Source);
        int errorsBefore = _errors.Count;

        Uri? url = null;
        if (Find(map, "url") is not { } urlNode) Error(p, map, "the source has no 'url:'");
        else if (String(urlNode, p + ".url") is { } text)
        {
            if (Uri.TryCreate(text, UriKind.Absolute, out var u) && u.Scheme is "http" or "https") url = u;
            else Error(p + ".url", urlNode, "expected an http:// or https:// URL such as https://api.example.com/v1/bots", MaskedUrlText(text));
        }

        var interval = Duration(map, p, "interval");
        if (interval is { } i && i < TimeSpan.FromSeconds(1)) Error(p + ".interval", Find(map, "interval")!, "a source is fetched at most once a second; use 1s or more", DurationParser.Format(i));
        var timeout = Duration(map, p, "timeout");
        if (timeout is { } t && t <= TimeSpan.Zero) Error(p + ".timeout", Find(map, "timeout")!, "must be more than zero", DurationParser.Format(t));

        var headers = Find(map, "headers") is { } h ? Headers(h, p + ".headers") : new Dictionary<string, SecretText>();

        string? template = null;
        if (Find(map, "template") is { } templateNode && String(templateNode, p + ".template") is { } tn)
        {
            if (templates.ContainsKey(tn)) template = tn;
            else Error(p + ".template", templateNode, UnknownTemplate(tn, templates), tn);
        }

        double maxRemoval = RemoteSourceConfig.DefaultMaxRemoval;
        if (Find(map, "max_removal") is { } mr && String(mr, p + ".max_removal") is { } mrText)
        {
            if (TryShare(mrText, out double share)) maxRemoval = share;
            else Error(p + ".max_removal", mr, "expected a share of the source's bots from 0% to 100%, such as 10%", mrText);
        }

        string? items = null;
        if (Find(map, "items") is { } itemsNode && String(itemsNode, p + ".items") is { } itemsPath)
        {
            if (JsonPath.IsValid(itemsPath)) items = itemsPath;
            else Error(p + ".items", itemsNode, "expected a dotted path to the list of items, such as items or data.bots", itemsPath);
        }

        var pages = Find(map, "pages") is { } pagesNode ? Pages(pagesNode, p + ".pages") : FeedPaging.None;
        FeedMapping? mapping = Find(map, "map") is { } mapNode ? Mapping(mapNode, p + ".map") : null;
        if (mapping is not null && template is null && Find(map, "template") is null)
        {
            Error(p, map, "a source with 'map:' needs a 'template:': its items give only the id, the token and env, the template gives the command");
        }

        if (url is { Scheme: "http" } && !url.IsLoopback && headers.Count > 0)
        {
            Error(p + ".url", Find(map, "url")!, "the source's headers (its credentials) would cross the network in clear text: use https://", UrlMasking.Mask(url));
        }
        if (_errors.Count > errorsBefore || url is null) return null;
        return new RemoteSourceConfig
        {
            Name = name,
            Url = url,
            Interval = interval ?? RemoteSourceConfig.DefaultInterval,
            Timeout = timeout ?? RemoteSourceConfig.DefaultTimeout,
            Headers = headers,
            Template = template,
            MaxRemoval = maxRemoval,
            Items = items,
            Pages = pages,
            Map = mapping,
        };
    }

    /// <summary>A URL that is not one is shown only when nothing in it can be a credential.</summary>
    private static string MaskedUrlText(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var u) ? UrlMasking.Mask(u) : text.IndexOfAny(['@', '?', '#']) >= 0 ? "****" : text;

    private static bool TryShare(string text, out double share)
    {
        var t = text.Trim();
        bool percent = t.EndsWith('%');
        if (percent) t = t[..^1].Trim();
        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            share = percent ? value / 100 : value;
            if (share is >= 0 and <= 1) return true;
        }
        share = 0;
        return false;
    }

    private Dictionary<string, SecretText> Headers(YamlNode node, string path)
    {
        var headers = new Dictionary<string, SecretText>(StringComparer.OrdinalIgnoreCase);
        if (node is not YamlMappingNode map)
        {
            if (!IsNull(node)) Error(path, node, "expected a mapping of header names to values, such as { X-API-Key: ${API_KEY} }");
            return headers;
        }
        foreach (var (k, v) in map.Children)
        {
            if (KeyName(k, path) is not { } name) continue;
            if (name.Length == 0 || name.Any(c => c <= ' ' || c >= 127 || c is ':' or '(' or ')' or ',' or ';' or '<' or '>' or '@' or '[' or ']' or '\\' or '"' or '/' or '?' or '=' or '{' or '}'))
            {
                Error(path + "." + name, k, "not a valid HTTP header name", name);
                continue;
            }
            Locate(path + "." + name, v);
            if (v is not YamlScalarNode)
            {
                Error(path + "." + name, v, "expected a single value, not a list or mapping");
                continue;
            }
            // The value is a secret: errors about it never show it.
            var raw = ((YamlScalarNode)v).Value ?? "";
            string? value;
            if (!_expandVariables) value = raw;
            else if (!_vars.TryExpand(raw, out var expanded, out var undefined))
            {
                Error(path + "." + name, v, $"the environment variable {string.Join(", ", undefined)} is not defined (set it, or add it to an env_file)");
                continue;
            }
            else value = expanded;
            if (value.Any(c => c is '\r' or '\n' or '\0'))
            {
                Error(path + "." + name, v, "a header value cannot contain a line break or a NUL character");
                continue;
            }
            headers[name] = new SecretText(value);
        }
        return headers;
    }

    private FeedPaging Pages(YamlNode node, string p)
    {
        if (node is not YamlMappingNode map)
        {
            Error(p, node, "expected a mapping: { next: next_url }, { link: true } or { number: page, size: page_size, per_page: 100, first: 1, total: total }");
            return FeedPaging.None;
        }
        CheckKeys(map, p, FleetKeys.SourcePages);
        var next = Find(map, "next") is { } n ? FieldPath(n, p + ".next") : null;
        bool link = Bool(map, p, "link") ?? false;
        var number = Find(map, "number") is { } num && String(num, p + ".number") is { Length: > 0 } numText ? numText : null;
        var size = Find(map, "size") is { } sz && String(sz, p + ".size") is { Length: > 0 } sizeText ? sizeText : null;
        var total = Find(map, "total") is { } tot ? FieldPath(tot, p + ".total") : null;
        int styles = (next is null ? 0 : 1) + (link ? 1 : 0) + (number is null ? 0 : 1);
        if (styles > 1) Error(p, map, "choose one way to the next page: 'next' (a field with its URL), 'link: true' (the Link header) or 'number' (numbered pages)");
        if (number is null && (size is not null || total is not null || Find(map, "per_page") is not null || Find(map, "first") is not null))
        {
            Error(p, map, "'size', 'per_page', 'first' and 'total' go with numbered pages ('number:')");
        }
        int perPage = Int(map, p, "per_page", min: 1) ?? 100;
        int first = Int(map, p, "first", min: 0) ?? 1;
        return new FeedPaging { NextField = next, LinkHeader = link, NumberParameter = number, SizeParameter = size, PageSize = perPage, FirstPage = first, TotalField = total };
    }

    private FeedMapping? Mapping(YamlNode node, string p)
    {
        if (node is not YamlMappingNode map)
        {
            Error(p, node, "expected a mapping such as { id: slug, token: telegram_integration.token, env: { REPLICA_UUID: uuid } }");
            return null;
        }
        CheckKeys(map, p, FleetKeys.SourceMap);
        string? id = null, token = null;
        if (Find(map, "id") is { } idNode) id = FieldPath(idNode, p + ".id");
        else Error(p, map, "the mapping has no 'id:' (the field of an item that gives the bot id)");
        if (Find(map, "token") is { } tokenNode) token = FieldPath(tokenNode, p + ".token");
        else Error(p, map, "the mapping has no 'token:' (the field of an item that gives the bot's token)");
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Find(map, "env") is { } envNode && StringMap(envNode, p + ".env") is { } envMap)
        {
            foreach (var (name, path) in envMap)
            {
                if (JsonPath.IsValid(path)) env[name] = path;
                else Error($"{p}.env.{name}", envNode, "expected a dotted path to a field of the item", path);
            }
        }
        var enabled = Find(map, "enabled") is { } e ? FieldPath(e, p + ".enabled") : null;
        var filter = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Find(map, "filter") is { } filterNode && StringMap(filterNode, p + ".filter") is { } filterMap)
        {
            foreach (var (path, value) in filterMap)
            {
                if (JsonPath.IsValid(path)) filter[path] = value;
                else Error($"{p}.filter", filterNode, "expected dotted paths to fields of the item as keys", path);
            }
        }
        if (id is null || token is null) return null;
        return new FeedMapping { Id = id, Token = token, Env = env, Enabled = enabled, Filter = filter };
    }

    /// <summary>A dotted path into a JSON item (<c>telegram_integration.token</c>).</summary>
    private string? FieldPath(YamlNode node, string path)
    {
        if (String(node, path) is not { } text) return null;
        if (JsonPath.IsValid(text)) return text;
        Error(path, node, "expected a dotted path to a field, such as telegram_integration.token", text);
        return null;
    }
}
