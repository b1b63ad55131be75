using System.Globalization;
using Botvisor.Core.Fleet;
using YamlDotNet.RepresentationModel;

namespace Botvisor.Core.Configuration;

/// <summary>The <c>admin:</c> and <c>alerts:</c> sections.</summary>
public sealed partial class FleetFileLoader
{
    private AdminConfig? ParseAdmin(YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            if (!IsNull(node)) Error("admin", node, "expected a mapping such as { token: ${ADMIN_BOT_TOKEN}, users: [123456789], chats: [-1001234567890] }");
            return null;
        }
        CheckKeys(map, "admin", FleetKeys.Admin);
        BotToken? token = null;
        if (Find(map, "token") is not { } tokenNode) Error("admin", map, "the admin bot has no 'token:' (its token from @BotFather, such as ${ADMIN_BOT_TOKEN})");
        else if (String(tokenNode, "admin.token") is { Length: > 0 } t) token = new BotToken(t);
        else if (tokenNode is YamlScalarNode) Error("admin.token", tokenNode, "the admin bot's token is empty");

        var users = Find(map, "users") is { } u ? Ids(u, "admin.users", user: true) : [];
        var chats = Find(map, "chats") is { } c ? Ids(c, "admin.chats", user: false) : [];
        if (users.Count == 0 && chats.Count == 0 && _errors.Count == 0)
        {
            Error("admin", map, "the admin bot needs at least one user (admin.users: Telegram user ids allowed to use it) or one chat (admin.chats: where alerts go)");
        }
        var roles = users.Distinct().ToDictionary(id => id, _ => AdminRole.Operate);
        if (Find(map, "roles") is { } r) ParseRoles(r, roles);

        string? baseUrl = null;
        if (Find(map, "api_base_url") is { } b && String(b, "admin.api_base_url") is { } url)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") baseUrl = url;
            else Error("admin.api_base_url", b, "expected an http:// or https:// URL such as https://api.telegram.org", url);
        }
        var confirm = Duration(map, "admin", "confirm_for");
        if (confirm is { } cf && (cf < TimeSpan.FromSeconds(5) || cf > TimeSpan.FromHours(1)))
        {
            Error("admin.confirm_for", Find(map, "confirm_for")!, "expected a duration from 5s to 1h", DurationParser.Format(cf));
        }
        return token is null ? null : new AdminConfig { Token = token, Users = roles, Chats = chats.Distinct().ToList(), ApiBaseUrl = baseUrl, ConfirmFor = confirm };
    }

    private void ParseRoles(YamlNode node, Dictionary<long, AdminRole> users)
    {
        if (node is not YamlMappingNode map)
        {
            if (!IsNull(node)) Error("admin.roles", node, "expected a mapping of user ids to roles, such as { 123456789: view }");
            return;
        }
        foreach (var (k, v) in map.Children)
        {
            if (KeyName(k, "admin.roles") is not { } key) continue;
            var path = "admin.roles." + key;
            if (!long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out long id) || id <= 0)
            {
                Error(path, k, "expected a Telegram user id (a positive whole number, such as 123456789)", key);
                continue;
            }
            if (!users.ContainsKey(id))
            {
                Error(path, k, "this user is not in admin.users; list it there first", key);
                continue;
            }
            switch (String(v, path))
            {
                case "view": users[id] = AdminRole.View; break;
                case "operate": users[id] = AdminRole.Operate; break;
                case { } other: Error(path, v, "unknown role; use view (status, logs, events) or operate (also start, stop, restart, mute)", other); break;
            }
        }
    }

    /// <summary>A list of Telegram ids: users are positive; chats are any non-zero id (groups and channels are negative).</summary>
    private List<long> Ids(YamlNode node, string path, bool user)
    {
        var ids = new List<long>();
        if (node is not YamlSequenceNode seq)
        {
            if (!IsNull(node)) Error(path, node, user ? "expected a list of Telegram user ids, such as [123456789]" : "expected a list of chat ids, such as [-1001234567890]");
            return ids;
        }
        for (int i = 0; i < seq.Children.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            if (String(seq.Children[i], itemPath) is not { } text) continue;
            bool ok = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long id) && (user ? id > 0 : id != 0);
            if (ok) ids.Add(id);
            else if (user) Error(itemPath, seq.Children[i], "expected a Telegram user id: a positive whole number such as 123456789 (a user can learn theirs from @userinfobot)", text);
            else Error(itemPath, seq.Children[i], "expected a chat id: a whole number such as 123456789 (a user) or -1001234567890 (a group or channel)", text);
        }
        return ids;
    }

    private AlertsConfig? ParseAlerts(YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            if (!IsNull(node)) Error("alerts", node, "expected a mapping such as { webhooks: [https://example.com/hook], wait: 30s, group: 5m, repeat: 4h }");
            return null;
        }
        CheckKeys(map, "alerts", FleetKeys.Alerts);
        var webhooks = new List<WebhookConfig>();
        if (Find(map, "webhooks") is { } w)
        {
            if (w is YamlSequenceNode seq)
            {
                for (int i = 0; i < seq.Children.Count; i++)
                {
                    if (ParseWebhook(seq.Children[i], $"alerts.webhooks[{i}]") is { } hook) webhooks.Add(hook);
                }
            }
            else if (!IsNull(w))
            {
                Error("alerts.webhooks", w, "expected a list of receivers, such as [https://example.com/hook] or [{ url: https://example.com/hook, headers: { Authorization: \"Bearer ${HOOK_TOKEN}\" } }]");
            }
        }
        int? stormRestarts = null;
        TimeSpan? stormWindow = null;
        if (Find(map, "restart_storm") is { } s)
        {
            if (s is YamlMappingNode storm)
            {
                CheckKeys(storm, "alerts.restart_storm", FleetKeys.RestartStorm);
                stormRestarts = Int(storm, "alerts.restart_storm", "restarts", min: 2);
                stormWindow = PositiveDuration(storm, "alerts.restart_storm", "within");
            }
            else if (!IsNull(s))
            {
                Error("alerts.restart_storm", s, "expected a mapping such as { restarts: 5, within: 10m }");
            }
        }
        return new AlertsConfig
        {
            Webhooks = webhooks,
            Wait = Duration(map, "alerts", "wait"),
            Group = Duration(map, "alerts", "group"),
            Repeat = PositiveDuration(map, "alerts", "repeat"),
            UnhealthyAfter = Duration(map, "alerts", "unhealthy_after"),
            StormRestarts = stormRestarts,
            StormWindow = stormWindow,
            DigestAfter = Int(map, "alerts", "digest_after", min: 1),
        };
    }

    private TimeSpan? PositiveDuration(YamlMappingNode map, string p, string key)
    {
        var value = Duration(map, p, key);
        if (value is { } v && v <= TimeSpan.Zero)
        {
            Error(p + "." + key, Find(map, key)!, "must be longer than zero", DurationParser.Format(v));
            return null;
        }
        return value;
    }

    private WebhookConfig? ParseWebhook(YamlNode node, string path)
    {
        YamlNode urlNode = node;
        IReadOnlyDictionary<string, string>? headers = null;
        if (node is YamlMappingNode map)
        {
            CheckKeys(map, path, FleetKeys.Webhook);
            if (Find(map, "url") is not { } u)
            {
                Error(path, node, "the webhook has no 'url:'");
                return null;
            }
            urlNode = u;
            path += ".url";
            headers = Find(map, "headers") is { } h ? StringMap(h, path[..^4] + ".headers") : null;
        }
        if (String(urlNode, path) is not { } url) return null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            // The value is not echoed: a webhook URL often carries a secret in its path.
            Error(path, urlNode, "expected an http:// or https:// URL such as https://example.com/hook");
            return null;
        }
        return new WebhookConfig { Url = url, Headers = headers ?? new Dictionary<string, string>() };
    }
}
