using Botvisor.Core.Alerts;
using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;
using Botvisor.Core.Reconciliation;
using Botvisor.Core.State;
using Botvisor.Core.Supervision;
using Botvisor.Core.Telegram;
using Microsoft.Extensions.Logging;
using static Botvisor.Core.Telegram.TelegramHtml;

namespace Botvisor.Core.AdminBot;

/// <summary>
/// The daemon's own Telegram bot: a long-polling loop on the admin token, talking to the Bot API
/// directly (no worker, no gateway), so it answers while every bot of the fleet is down. It answers
/// only <c>admin.users</c> (by Telegram user id; a stranger gets one polite refusal and each attempt
/// is audited), asks for a button before a restart or stop (the button works once, for the person who
/// asked, until it expires), and records every action as an audit event with <c>telegram:USER_ID</c> as actor.
/// </summary>
public sealed partial class TelegramAdminBot : IAsyncDisposable
{
    public const int DefaultLogLines = 20;
    public const int MaxLogLines = 1000;
    public const int EventLines = 15;
    public static readonly TimeSpan DefaultMute = TimeSpan.FromHours(1);
    private static readonly TimeSpan StrangerAuditInterval = TimeSpan.FromMinutes(1);
    private const int PollTimeoutSeconds = 25;

    private readonly AdminConfig _config;
    private readonly ITelegramBotApi _api;
    private readonly TelegramSender _sender;
    private readonly AdminBotServices _services;
    private readonly ILogger _logger;
    private readonly ConfirmationBook _confirmations = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<long, DateTimeOffset> _strangers = [];
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _handlers = [];
    private Task _loop = Task.CompletedTask;
    private string? _username;

    public TelegramAdminBot(AdminConfig config, ITelegramBotApi api, TelegramSender sender, AdminBotServices services, ILogger<TelegramAdminBot> logger)
    {
        _config = config;
        _api = api;
        _sender = sender;
        _services = services;
        _logger = logger;
    }

    private TimeSpan ConfirmFor => _config.ConfirmFor ?? AdminConfig.DefaultConfirmFor;

    private DateTimeOffset Now => _services.Time.GetUtcNow();

    public void Start() => _loop = Task.Run(() => RunAsync(_stopping.Token));

    private async Task RunAsync(CancellationToken ct)
    {
        var backoff = new RetryDelay();
        // getMe until Telegram answers: the admin bot comes up whenever the Bot API does.
        while (!ct.IsCancellationRequested)
        {
            var me = await _api.GetMeAsync(ct).ConfigureAwait(false);
            if (me.Value is { } info)
            {
                _username = info.Username;
                break;
            }
            if (Fatal(me.Failure!)) return;
            Log.Unreachable(_logger, me.Failure!.ToString(), backoff.Next.TotalSeconds);
            await Task.Delay(backoff.Take(), _services.Time, ct).ConfigureAwait(false);
        }
        await _api.DeleteWebhookAsync(ct).ConfigureAwait(false); // a webhook on the token would make getUpdates answer 409
        var menu = await _api.SetMyCommandsAsync(AdminCommands.All.Select(c => (c.Name, Shorten(c.Description, 256))).ToList(), ct).ConfigureAwait(false);
        if (menu.Failure is { } menuFailure) Log.Unreachable(_logger, "setMyCommands: " + menuFailure, 0);
        Log.Started(_logger, _username ?? "?", _config.Users.Count, _config.Chats.Count);

        long offset = 0;
        backoff = new RetryDelay();
        while (!ct.IsCancellationRequested)
        {
            var updates = await _api.GetUpdatesAsync(offset, PollTimeoutSeconds, ct).ConfigureAwait(false);
            if (updates.Failure is { } failure)
            {
                if (Fatal(failure)) return;
                var wait = failure.RetryAfter ?? backoff.Take();
                Log.Unreachable(_logger, failure.ErrorCode == 409 ? "another program polls the admin bot's token (409 Conflict)" : failure.ToString(), wait.TotalSeconds);
                await Task.Delay(wait, _services.Time, ct).ConfigureAwait(false);
                continue;
            }
            backoff = new RetryDelay();
            foreach (var update in updates.Value!)
            {
                offset = Math.Max(offset, update.UpdateId + 1);
                Track(HandleAsync(update, ct));
            }
        }
    }

    private bool Fatal(TelegramFailure failure)
    {
        if (failure.Kind != TelegramFailureKind.Rejected) return false;
        Log.Failed(_logger, failure.ToString());
        Audit("daemon", "admin bot", null, $"stopped: Telegram rejects its token ({failure}); fix admin.token and restart the daemon", BotEventKinds.Daemon);
        return true;
    }

    private void Track(Task task)
    {
        lock (_gate) _handlers.Add(task);
        task.ContinueWith(t =>
        {
            lock (_gate) _handlers.Remove(t);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task HandleAsync(TelegramUpdate update, CancellationToken ct)
    {
        try
        {
            if (update.Message is { } message) await OnMessageAsync(message, ct).ConfigureAwait(false);
            else if (update.CallbackQuery is { } callback) await OnCallbackAsync(callback, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Log.UpdateFailed(_logger, update.UpdateId, ex.Message, ex);
        }
    }

    private static string Actor(long userId) => $"telegram:{userId}";

    // ---- messages -----------------------------------------------------------------------------

    private async Task OnMessageAsync(TelegramIncomingMessage m, CancellationToken ct)
    {
        if (!_config.Users.TryGetValue(m.FromId, out var role))
        {
            await RefuseAsync(m.FromId, m.FromUsername, m.ChatId, Shorten(m.Text ?? "", 64), ct).ConfigureAwait(false);
            return;
        }
        var command = AdminCommand.Parse(m.Text, _username);
        if (command is null)
        {
            if (m.ChatId > 0) await ReplyAsync(m.ChatId, "Send a command, such as /status; /help lists them.", ct).ConfigureAwait(false);
            return;
        }
        if (command.Name == "start" && command.Args.Count == 0) command = command with { Name = "help" }; // Telegram's "Start" button
        var definition = AdminCommands.Find(command.Name);
        if (definition is null)
        {
            await ReplyAsync(m.ChatId, $"There is no /{Escape(command.Name)}; /help lists the commands.", ct).ConfigureAwait(false);
            return;
        }
        Log.Command(_logger, m.FromId, command.Name);
        if (definition.Needs > role)
        {
            Audit(Actor(m.FromId), command.Name, command.Args.Count > 0 ? command.Args[0] : null, "refused: the user's role is view");
            await ReplyAsync(m.ChatId, $"Your role is <b>view</b>: /{command.Name} needs <b>operate</b>.", ct).ConfigureAwait(false);
            return;
        }
        var reply = command.Name switch
        {
            "status" => AdminReplies.Status(_services.State.Snapshots, Now),
            "bot" => WithBot(command, id => AdminReplies.Bot(_services.State.Get(id)!, _services.Sampler.Get(id), Now)),
            "logs" => await LogsAsync(m.ChatId, command, ct).ConfigureAwait(false),
            "events" => await EventsAsync(command, ct).ConfigureAwait(false),
            "nodes" => "This daemon runs alone: no cluster is configured, so there are no other nodes.",
            "restart" or "stop" => WithBot(command, id => Confirm(m, command.Name, id)),
            "start" => await WithBotAsync(command, id => ActAsync(m.FromId, "start", id)).ConfigureAwait(false),
            "mute" => Mute(m.FromId, command),
            "unmute" => Unmute(m.FromId, command),
            _ => AdminReplies.Help(role),
        };
        if (reply is PendingReply pending)
        {
            await _sender.SendAsync(m.ChatId, pending.Html, pending.Buttons, ct).ConfigureAwait(false);
        }
        else if (reply is string html && html.Length > 0)
        {
            await ReplyAsync(m.ChatId, html, ct).ConfigureAwait(false);
        }
    }

    private sealed record PendingReply(string Html, IReadOnlyList<InlineButton> Buttons);

    private Task ReplyAsync(long chatId, string html, CancellationToken ct) => _sender.SendAsync(chatId, html, null, ct);

    private async Task RefuseAsync(long userId, string? username, long chatId, string what, CancellationToken ct)
    {
        var (first, audit) = StrangerSeen(userId);
        Log.Refused(_logger, userId, username ?? "");
        if (audit) Audit(Actor(userId), "admin bot", null, $"refused: user {userId}{(username is null ? "" : " (@" + username + ")")} is not in admin.users (sent '{what}')");
        if (first) await ReplyAsync(chatId, "Sorry, this bot answers only the people who run it.", ct).ConfigureAwait(false);
    }

    /// <summary>Whether this is the stranger's first attempt, and whether it is audited (the first, then at most one a <see cref="StrangerAuditInterval"/>).</summary>
    private (bool First, bool Audit) StrangerSeen(long userId)
    {
        var now = Now;
        lock (_gate)
        {
            bool first = !_strangers.TryGetValue(userId, out var last);
            bool audit = first || now - last >= StrangerAuditInterval;
            if (audit) _strangers[userId] = now;
            return (first, audit);
        }
    }

    private object WithBot(AdminCommand command, Func<string, object> then)
    {
        if (command.Args.Count == 0) return $"Which bot? /{command.Name} ID";
        var id = command.Args[0];
        if (_services.State.Get(id) is null || _services.Reconciler.Find(id) is null) return NoSuchBot(id);
        return then(id);
    }

    private async Task<object> WithBotAsync(AdminCommand command, Func<string, Task<string>> then)
    {
        if (command.Args.Count == 0) return $"Which bot? /{command.Name} ID";
        var id = command.Args[0];
        return _services.Reconciler.Find(id) is null ? NoSuchBot(id) : await then(id).ConfigureAwait(false);
    }

    private string NoSuchBot(string id)
    {
        var suggestion = SpellingSuggester.Suggest(id, _services.State.Snapshots.Select(s => s.Id));
        return $"There is no bot {Code(id)}." + (suggestion is null ? "" : $" Did you mean {Code(suggestion)}?");
    }

    private async Task<object> LogsAsync(long chatId, AdminCommand command, CancellationToken ct)
    {
        if (command.Args.Count == 0) return "Which bot? /logs ID [N]";
        var id = command.Args[0];
        if (_services.Reconciler.Find(id) is not { } supervisor) return NoSuchBot(id);
        int n = DefaultLogLines;
        if (command.Args.Count > 1 && (!int.TryParse(command.Args[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out n) || n < 1))
        {
            return $"{Code(command.Args[1])} is not a number of lines; /logs {Escape(id)} 50";
        }
        var lines = supervisor.Output.Tail(Math.Min(n, MaxLogLines)); // masked when they were captured
        var html = AdminReplies.Logs(id, lines);
        if (html.Length <= MaxMessageLength) return html;
        var file = System.Text.Encoding.UTF8.GetBytes(AdminReplies.LogFile(lines));
        var outcome = await _sender.SendDocumentAsync(chatId, $"{id}.log", file, $"{Bold(id)}, last {lines.Count} line(s)", ct).ConfigureAwait(false);
        return outcome.Sent ? "" : $"The log could not be sent as a file: {Escape(outcome.Failure ?? "")}";
    }

    private async Task<object> EventsAsync(AdminCommand command, CancellationToken ct)
    {
        string? id = command.Args.Count > 0 ? command.Args[0] : null;
        if (id is not null && _services.State.Get(id) is null) return NoSuchBot(id);
        await _services.Writer.FlushAsync().WaitAsync(ct).ConfigureAwait(false);
        var events = await _services.Store.ReadLatestEventsAsync(EventLines, id, ct).ConfigureAwait(false);
        return AdminReplies.Events(events, id);
    }

    // ---- actions ------------------------------------------------------------------------------

    private PendingReply Confirm(TelegramIncomingMessage m, string action, string botId)
    {
        var pending = _confirmations.Add(m.FromId, m.ChatId, action, botId, Now + ConfirmFor);
        string verb = action == "restart" ? "Restart" : "Stop";
        var state = _services.State.Get(botId)?.State.ToName() ?? "unknown";
        return new PendingReply(
            $"{verb} {Bold(botId)} (now {state})? The button works for {AdminReplies.Duration(ConfirmFor)}.",
            [new InlineButton($"{verb} {botId}", ConfirmationBook.ConfirmPrefix + pending.Nonce), new InlineButton("Cancel", ConfirmationBook.CancelPrefix + pending.Nonce)]);
    }

    private async Task<string> ActAsync(long userId, string action, string botId)
    {
        var command = action switch { "restart" => BotCommand.Restart, "stop" => BotCommand.Stop, _ => BotCommand.Start };
        try
        {
            var snapshot = await _services.Controller.CommandAsync(botId, command, Actor(userId)).ConfigureAwait(false); // audited there
            return $"{Bold(botId)}: {action} done, now {snapshot.State.ToName()}" + (snapshot.Reason.Length > 0 ? $" ({Escape(Shorten(snapshot.Reason, 200))})" : "");
        }
        catch (BotNotFoundException)
        {
            return NoSuchBot(botId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return $"{Bold(botId)}: {action} failed: {Escape(Shorten(ex.Message, 300))}";
        }
    }

    private async Task OnCallbackAsync(TelegramCallbackQuery q, CancellationToken ct)
    {
        if (!_config.Users.TryGetValue(q.FromId, out var role))
        {
            await _api.AnswerCallbackQueryAsync(q.Id, "Sorry, this bot answers only the people who run it.", ct).ConfigureAwait(false);
            // Throttled like a stranger's messages: pressing a button in a group over and over cannot flood the event log.
            if (StrangerSeen(q.FromId).Audit) Audit(Actor(q.FromId), "admin bot", null, $"refused: user {q.FromId} is not in admin.users (pressed a button)");
            return;
        }
        var (outcome, pending) = _confirmations.Press(q.Data, q.FromId, Now);
        switch (outcome)
        {
            case ConfirmationBook.Outcome.Confirmed when role >= AdminRole.Operate:
                await _api.AnswerCallbackQueryAsync(q.Id, $"{pending!.Action} {pending.BotId}…", ct).ConfigureAwait(false);
                await EditAsync(q, $"{Escape(pending.Action)} {Bold(pending.BotId)}: in progress…", ct).ConfigureAwait(false);
                var result = await ActAsync(q.FromId, pending.Action, pending.BotId).ConfigureAwait(false);
                await EditAsync(q, result, ct).ConfigureAwait(false);
                break;
            case ConfirmationBook.Outcome.Confirmed:
                await _api.AnswerCallbackQueryAsync(q.Id, "Your role is view: you cannot do this.", ct).ConfigureAwait(false);
                break;
            case ConfirmationBook.Outcome.Cancelled:
                await _api.AnswerCallbackQueryAsync(q.Id, "Cancelled", ct).ConfigureAwait(false);
                await EditAsync(q, $"Cancelled: {Escape(pending!.Action)} {Bold(pending.BotId)}; nothing was done.", ct).ConfigureAwait(false);
                break;
            case ConfirmationBook.Outcome.Expired:
                Audit(Actor(q.FromId), pending!.Action, pending.BotId, "not done: the confirmation button had expired");
                await _api.AnswerCallbackQueryAsync(q.Id, $"This button has expired; send /{pending.Action} {pending.BotId} again.", ct).ConfigureAwait(false);
                await EditAsync(q, $"Expired: {Escape(pending.Action)} {Bold(pending.BotId)} was not done.", ct).ConfigureAwait(false);
                break;
            case ConfirmationBook.Outcome.NotYours:
                await _api.AnswerCallbackQueryAsync(q.Id, "Only the person who asked can press this button.", ct).ConfigureAwait(false);
                break;
            default:
                await _api.AnswerCallbackQueryAsync(q.Id, "This button no longer works.", ct).ConfigureAwait(false);
                break;
        }
    }

    private Task EditAsync(TelegramCallbackQuery q, string html, CancellationToken ct) =>
        q.ChatId is { } chat && q.MessageId is { } message ? _api.EditMessageTextAsync(chat, message, html, ct) : Task.CompletedTask;

    // ---- silences -----------------------------------------------------------------------------

    private string Mute(long userId, AdminCommand command)
    {
        var alerts = _services.Alerts;
        if (command.Args.Count == 0) return AdminReplies.Silences(alerts.Silences, alerts.Open, Now);
        if (!Silence.TryParseTarget(command.Args[0], out var target, out var kind, out var error)) return Escape(error!);
        var duration = DefaultMute;
        if (command.Args.Count > 1 && (!DurationParser.TryParse(command.Args[1], out duration, out _) || duration <= TimeSpan.Zero || duration > FleetFileLoader.LongestDuration))
        {
            return $"{Code(command.Args[1])} is not a duration such as 30m, 1h or 1d12h (at most {DurationParser.Format(FleetFileLoader.LongestDuration)})";
        }
        var silence = alerts.Mute(target, kind, duration, Actor(userId));
        return $"🔕 {Escape(silence.Describe())} muted for {AdminReplies.Duration(duration)}; /unmute {Escape(command.Args[0])} ends it.";
    }

    private string Unmute(long userId, AdminCommand command)
    {
        if (command.Args.Count == 0) return "What? /unmute ID or /unmute kind:NAME";
        if (!Silence.TryParseTarget(command.Args[0], out var target, out var kind, out var error)) return Escape(error!);
        int n = _services.Alerts.Unmute(target, kind, Actor(userId));
        return n == 0 ? $"{Code(command.Args[0])} was not muted." : $"🔔 {Escape(command.Args[0])} unmuted.";
    }

    private void Audit(string actor, string action, string? botId, string outcome, string kind = BotEventKinds.Audit) => _services.Writer.Record(new BotEvent
    {
        Time = Now,
        Kind = kind,
        BotId = botId,
        Actor = actor,
        Message = botId is null ? $"{actor}: {action}: {outcome}" : $"{actor}: {action} {botId}: {outcome}",
    });

    private int _disposed;

    /// <summary>Stops it; the hosted service and the container both call this, so only the first call does anything.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task[] running;
        lock (_gate) running = [_loop, .. _handlers];
        try
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stopping.Dispose();
    }

    /// <summary>1 s doubling to 10 s: the admin bot comes up soon after the Bot API does.</summary>
    private sealed class RetryDelay
    {
        public TimeSpan Next { get; private set; } = TimeSpan.FromSeconds(1);

        public TimeSpan Take()
        {
            var d = Next;
            Next = TimeSpan.FromTicks(Math.Min(Next.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            return d;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = Diagnostics.LogEventIds.AdminBotStarted, Level = LogLevel.Information, Message = "Admin bot @{Username} answers {Users} user(s); alerts go to {Chats} chat(s)")]
        public static partial void Started(ILogger logger, string username, int users, int chats);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.AdminBotFailed, Level = LogLevel.Error, Message = "Admin bot stopped: Telegram rejects its token ({Reason}); fix admin.token and restart the daemon")]
        public static partial void Failed(ILogger logger, string reason);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.AdminBotUnreachable, Level = LogLevel.Warning, Message = "Admin bot: {Reason}; trying again in {Seconds}s")]
        public static partial void Unreachable(ILogger logger, string reason, double seconds);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.AdminCommand, Level = LogLevel.Information, Message = "Admin bot: /{Command} from telegram:{UserId}")]
        public static partial void Command(ILogger logger, long userId, string command);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.AdminRefused, Level = LogLevel.Warning, Message = "Admin bot: refused telegram:{UserId} (@{Username}): not in admin.users")]
        public static partial void Refused(ILogger logger, long userId, string username);

        [LoggerMessage(EventId = Diagnostics.LogEventIds.AdminUpdateFailed, Level = LogLevel.Error, Message = "Admin bot: update {UpdateId} failed: {Reason}")]
        public static partial void UpdateFailed(ILogger logger, long updateId, string reason, Exception exception);
    }
}
