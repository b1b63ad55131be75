using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace TelegramEmulator;

/// <summary>
/// One bot of the emulator: its pending updates (kept until a getUpdates offset confirms them), what
/// it sent, its webhook, and the long poll in progress. All state changes under <see cref="_gate"/>.
/// </summary>
public sealed partial class EmulatedBot
{
    private readonly object _gate = new();
    private readonly List<JsonObject> _pending = [];
    private readonly List<JsonObject> _sent = [];
    private readonly List<TaskCompletionSource<JsonObject>> _replyWaiters = [];
    private long _nextUpdateId = 1;
    private long _nextMessageId = 1;
    private Poll? _poll;
    private DateTimeOffset _floodUntil;
    private int _floodSeconds;

    public EmulatedBot(long id, string username, string token)
    {
        Id = id;
        Username = username;
        Token = token;
    }

    public long Id { get; }
    public string Username { get; }
    public string Token { get; }
    public bool Revoked { get; private set; }
    public string WebhookUrl { get; private set; } = "";
    public long GetUpdatesCalls { get; private set; }
    public long Conflicts { get; private set; }

    /// <summary>Calls answered 429 because of a flood limit.</summary>
    public long FloodRejections { get; private set; }

    /// <summary>The protocol ("HTTP/1.1", "HTTP/2") and connection of the bot's last Bot API call.</summary>
    public (string Protocol, string Connection) LastTransport { get; private set; } = ("", "");

    public void Called(string protocol, string connection)
    {
        lock (_gate) LastTransport = (protocol, connection);
    }

    private sealed class Poll
    {
        public required Socket? Socket { get; init; }
        public required CancellationToken ClientGone { get; init; }
        public TaskCompletionSource<bool> Wake { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool Terminated { get; set; }

        /// <summary>A client whose process died has closed its socket: the kernel reports it readable with nothing to read.</summary>
        public bool IsClientGone()
        {
            if (ClientGone.IsCancellationRequested) return true;
            try
            {
                return Socket is not null && Socket.Poll(0, SelectMode.SelectRead) && Socket.Available == 0;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return true;
            }
        }
    }

    public JsonObject User() => new()
    {
        ["id"] = Id,
        ["is_bot"] = true,
        ["first_name"] = Username,
        ["username"] = Username,
        ["can_join_groups"] = true,
        ["can_read_all_group_messages"] = false,
        ["supports_inline_queries"] = false,
    };

    public void CheckAccess(TimeProvider time)
    {
        lock (_gate)
        {
            if (Revoked) throw BotApiError.Unauthorized();
            var now = time.GetUtcNow();
            if (now < _floodUntil) FloodRejections++;
            if (now < _floodUntil) throw BotApiError.TooManyRequests(Math.Max(1, (int)Math.Ceiling((_floodUntil - now).TotalSeconds)));
        }
    }

    /// <summary>getUpdates: confirm by offset, take the newest poll, end an older live one with 409, wait up to timeout.</summary>
    public async Task<JsonArray> GetUpdatesAsync(long offset, int limit, int timeoutSeconds, IReadOnlyCollection<string>? allowed, Socket? socket, CancellationToken clientGone)
    {
        Poll? mine = null;
        lock (_gate)
        {
            GetUpdatesCalls++;
            if (WebhookUrl.Length > 0) throw BotApiError.ConflictWebhook();
            Confirm(offset);
            if (_poll is { } older)
            {
                // The real server ends the older request. One whose client went away was dropped, not a conflict.
                if (!older.IsClientGone()) Conflicts++;
                older.Terminated = true;
                older.Wake.TrySetResult(false);
                _poll = null;
            }
            var ready = Take(limit, allowed);
            if (ready.Count > 0 || timeoutSeconds <= 0) return ready;
            mine = new Poll { Socket = socket, ClientGone = clientGone };
            _poll = mine;
        }

        try
        {
            await mine.Wake.Task.WaitAsync(TimeSpan.FromSeconds(timeoutSeconds), clientGone).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        finally
        {
            lock (_gate)
            {
                if (_poll == mine) _poll = null;
            }
        }
        lock (_gate)
        {
            if (mine.Terminated) throw BotApiError.ConflictOtherPoller();
            return Take(limit, allowed);
        }
    }

    private void Confirm(long offset)
    {
        if (offset > 0) _pending.RemoveAll(u => (long)u["update_id"]! < offset);
        else if (offset < 0 && _pending.Count > -offset) _pending.RemoveRange(0, _pending.Count - (int)-offset);
    }

    private JsonArray Take(int limit, IReadOnlyCollection<string>? allowed)
    {
        var result = new JsonArray();
        foreach (var u in _pending.Where(u => allowed is null || allowed.Count == 0 || allowed.Any(a => u.ContainsKey(a))).Take(limit))
        {
            result.Add(u.DeepClone());
        }
        return result;
    }

    /// <summary>A user writes to the bot.</summary>
    public long InjectMessage(long chatId, string text, TimeProvider time)
    {
        lock (_gate)
        {
            long id = _nextUpdateId++;
            var user = new JsonObject { ["id"] = chatId, ["is_bot"] = false, ["first_name"] = "Tester" };
            _pending.Add(new JsonObject
            {
                ["update_id"] = id,
                ["message"] = new JsonObject
                {
                    ["message_id"] = _nextMessageId++,
                    ["from"] = user,
                    ["chat"] = new JsonObject { ["id"] = chatId, ["type"] = "private", ["first_name"] = "Tester" },
                    ["date"] = time.GetUtcNow().ToUnixTimeSeconds(),
                    ["text"] = text,
                },
            });
            _poll?.Wake.TrySetResult(true);
            return id;
        }
    }

    public JsonObject SendMessage(long chatId, string text, TimeProvider time) => Sent(chatId, time, m => m["text"] = text);

    /// <summary>The bot sent a file (a photo as Telegram's array of sizes, anything else as one object).</summary>
    public JsonObject SendFile(long chatId, string kind, EmulatedFiles.StoredFile file, string? caption, TimeProvider time) => Sent(chatId, time, m =>
    {
        m[kind] = kind == "photo" ? new JsonArray(EmulatedFiles.Describe(file)) : EmulatedFiles.Describe(file);
        if (caption is not null) m["caption"] = caption;
    });

    /// <summary>A user sends the bot a document.</summary>
    public long InjectDocument(long chatId, EmulatedFiles.StoredFile file, TimeProvider time)
    {
        lock (_gate)
        {
            long id = _nextUpdateId++;
            _pending.Add(new JsonObject
            {
                ["update_id"] = id,
                ["message"] = new JsonObject
                {
                    ["message_id"] = _nextMessageId++,
                    ["from"] = new JsonObject { ["id"] = chatId, ["is_bot"] = false, ["first_name"] = "Tester" },
                    ["chat"] = new JsonObject { ["id"] = chatId, ["type"] = "private", ["first_name"] = "Tester" },
                    ["date"] = time.GetUtcNow().ToUnixTimeSeconds(),
                    ["document"] = EmulatedFiles.Describe(file),
                },
            });
            _poll?.Wake.TrySetResult(true);
            return id;
        }
    }

    private JsonObject Sent(long chatId, TimeProvider time, Action<JsonObject> content)
    {
        lock (_gate)
        {
            var message = new JsonObject
            {
                ["message_id"] = _nextMessageId++,
                ["from"] = User(),
                ["chat"] = new JsonObject { ["id"] = chatId, ["type"] = "private", ["first_name"] = "Tester" },
                ["date"] = time.GetUtcNow().ToUnixTimeSeconds(),
            };
            content(message);
            _sent.Add(message);
            foreach (var w in _replyWaiters) w.TrySetResult((JsonObject)message.DeepClone());
            _replyWaiters.Clear();
            return message;
        }
    }

    /// <summary>The next message the bot sends from now on.</summary>
    public Task<JsonObject> NextSentAsync()
    {
        var tcs = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate) _replyWaiters.Add(tcs);
        return tcs.Task;
    }

    public JsonArray Sent()
    {
        lock (_gate) return new JsonArray(_sent.Select(m => (JsonNode)m.DeepClone()).ToArray());
    }

    public void SetWebhook(string url)
    {
        lock (_gate)
        {
            WebhookUrl = url;
            if (url.Length > 0 && _poll is { } p)
            {
                p.Terminated = true;
                p.Wake.TrySetResult(false);
            }
        }
    }

    public bool DeleteWebhook(bool dropPending)
    {
        lock (_gate)
        {
            bool had = WebhookUrl.Length > 0;
            WebhookUrl = "";
            if (dropPending) _pending.Clear();
            return had;
        }
    }

    public void Revoke()
    {
        lock (_gate)
        {
            Revoked = true;
            _poll?.Wake.TrySetResult(false);
        }
    }

    public void Flood(int retryAfterSeconds, TimeProvider time)
    {
        lock (_gate)
        {
            _floodSeconds = retryAfterSeconds;
            _floodUntil = time.GetUtcNow().AddSeconds(retryAfterSeconds);
        }
    }

    public JsonObject Stats()
    {
        lock (_gate)
        {
            return new JsonObject
            {
                ["username"] = Username,
                ["get_updates"] = GetUpdatesCalls,
                ["polling"] = _poll is { } p && !p.IsClientGone(),
                ["conflicts"] = Conflicts,
                ["pending_updates"] = _pending.Count,
                ["sent"] = _sent.Count,
                ["webhook"] = WebhookUrl,
                ["webhook_info_calls"] = WebhookInfoCalls,
                ["revoked"] = Revoked,
                ["flood_seconds"] = _floodSeconds,
                ["flood_rejections"] = FloodRejections,
                ["protocol"] = LastTransport.Protocol,
                ["connection"] = LastTransport.Connection,
            };
        }
    }
}
