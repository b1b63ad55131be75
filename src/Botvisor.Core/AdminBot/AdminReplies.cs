using System.Globalization;
using System.Text;
using Botvisor.Core.Alerts;
using Botvisor.Core.Configuration;
using Botvisor.Core.Health;
using Botvisor.Core.Logs;
using Botvisor.Core.State;
using static Botvisor.Core.Telegram.TelegramHtml;

namespace Botvisor.Core.AdminBot;

/// <summary>What the admin bot answers, as Telegram HTML. Pure: snapshots and times in, text out.</summary>
public static class AdminReplies
{
    /// <summary>How many bots <c>/status</c> lists by name before "and N more".</summary>
    public const int StatusListLimit = 30;

    public static string Status(IReadOnlyCollection<BotSnapshot> bots, DateTimeOffset now)
    {
        var sb = new StringBuilder();
        sb.Append("<b>").Append(bots.Count).Append(" bot").Append(bots.Count == 1 ? "" : "s").Append("</b>: ");
        sb.Append(string.Join(", ", bots.GroupBy(b => b.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToName()}")));
        if (bots.Count == 0) sb.Append("none defined");
        var unhealthy = bots.Count(Unhealthy);
        if (unhealthy > 0) sb.Append(", ").Append(unhealthy).Append(" unhealthy");
        var trouble = bots.Where(b => b.State != BotLifecycleState.Running || Unhealthy(b)).ToList();
        if (trouble.Count == 0)
        {
            if (bots.Count > 0) sb.Append("\n✅ every bot is running");
            return sb.ToString();
        }
        sb.Append("\n\nNot running or not healthy:\n");
        foreach (var b in trouble.Take(StatusListLimit))
        {
            sb.Append(Icon(b)).Append(' ').Append(Bold(b.Id)).Append(' ').Append(b.State.ToName());
            if (Unhealthy(b)) sb.Append(", unhealthy");
            if (b.Reason.Length > 0) sb.Append(": ").Append(Escape(Shorten(b.Reason, 160)));
            sb.Append('\n');
        }
        if (trouble.Count > StatusListLimit) sb.Append("… and ").Append(trouble.Count - StatusListLimit).Append(" more\n");
        return sb.ToString().TrimEnd('\n');
    }

    /// <summary>Health is a running bot's: one that is not running is counted by its state.</summary>
    private static bool Unhealthy(BotSnapshot b) => b.State == BotLifecycleState.Running && b.Health == HealthVerdict.Unhealthy;

    public static string Bot(BotSnapshot b, ResourceUsage? usage, DateTimeOffset now)
    {
        var sb = new StringBuilder();
        sb.Append(Icon(b)).Append(' ').Append(Bold(b.Id));
        if (b.TelegramUsername is { } u) sb.Append(" (@").Append(Escape(u)).Append(')');
        sb.Append('\n');
        Row(sb, "state", b.State.ToName() + (b.Reason.Length > 0 ? ": " + Shorten(b.Reason, 300) : ""));
        Row(sb, "health", b.Health.ToString().ToLowerInvariant() + Checks(b));
        if (b.Pid is { } pid) Row(sb, "pid", pid.ToString(CultureInfo.InvariantCulture));
        if (b.State == BotLifecycleState.Running && b.StartedAt is { } started) Row(sb, "uptime", Duration(now - started));
        Row(sb, "restarts", b.Restarts.ToString(CultureInfo.InvariantCulture) + (b.ConsecutiveFailures > 0 ? $" ({b.ConsecutiveFailures} failed in a row)" : ""));
        if (b.LastExit is { } exit) Row(sb, "last exit", exit + (b.StoppedAt is { } at ? $", {Duration(now - at)} ago" : ""));
        if (b.NextStartAt is { } next && b.State == BotLifecycleState.Backoff) Row(sb, "next start", "in " + Duration(next - now));
        if (usage is not null) Row(sb, "memory", ResourceSampler.Mib(usage.RssBytes) + $", CPU {usage.CpuPercent.ToString("0.#", CultureInfo.InvariantCulture)}%" + (usage.Processes > 1 ? $", {usage.Processes} processes" : ""));
        if (b.Conflicts > 0) Row(sb, "409 conflicts", b.Conflicts.ToString(CultureInfo.InvariantCulture));
        if (b.MaskedToken is { } token) Row(sb, "token", token);
        if (b.StatusText is { } status) Row(sb, "status", status);
        return sb.ToString().TrimEnd('\n');
    }

    private static string Checks(BotSnapshot b)
    {
        var failing = b.Checks.Where(c => !c.Value.Healthy).Select(c => $"{c.Key}: {c.Value.Message}").ToList();
        return failing.Count == 0 ? "" : " (" + string.Join("; ", failing) + ")";
    }

    private static void Row(StringBuilder sb, string name, string value) => sb.Append(name).Append(": ").Append(Escape(value)).Append('\n');

    /// <summary>The log lines as they are sent in a message; <see cref="LogFile"/> when that would be too long.</summary>
    public static string Logs(string botId, IReadOnlyList<LogLine> lines)
    {
        if (lines.Count == 0) return $"{Bold(botId)} has printed nothing yet";
        return $"{Bold(botId)}, last {lines.Count} line(s):\n<pre>{Escape(LogFile(lines))}</pre>";
    }

    public static string LogFile(IReadOnlyList<LogLine> lines)
    {
        var sb = new StringBuilder();
        foreach (var l in lines)
        {
            sb.Append(l.Time.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)).Append(' ');
            if (l.StreamName == "stderr") sb.Append("! ");
            sb.Append(l.Text).Append('\n');
        }
        return sb.ToString();
    }

    public static string Events(IReadOnlyList<BotEvent> events, string? botId)
    {
        if (events.Count == 0) return botId is null ? "No events yet" : $"No events of {Bold(botId)}";
        var sb = new StringBuilder(botId is null ? "<b>Latest events</b>\n" : $"<b>Latest events of {Escape(botId)}</b>\n");
        foreach (var e in events)
        {
            sb.Append("<code>").Append(e.Time.UtcDateTime.ToString("MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append("</code> ");
            if (e.BotId is { } id && botId is null) sb.Append(Bold(id)).Append(' ');
            sb.Append(Escape(e.State ?? e.Kind)).Append(": ").Append(Escape(Shorten(e.Message, 200))).Append('\n');
        }
        return sb.ToString().TrimEnd('\n');
    }

    public static string Silences(IReadOnlyList<Silence> silences, IReadOnlyList<AlertNotice> open, DateTimeOffset now)
    {
        var sb = new StringBuilder();
        if (silences.Count == 0) sb.Append("No silences.");
        else
        {
            sb.Append("<b>Silences</b>\n");
            foreach (var s in silences) sb.Append("🔕 ").Append(Escape(s.Describe())).Append(" for ").Append(Remaining(s.Until - now)).Append(" more (").Append(Escape(s.By)).Append(")\n");
        }
        if (open.Count > 0)
        {
            sb.Append("\n<b>Open alerts</b>\n");
            foreach (var a in open.Take(StatusListLimit)) sb.Append("🔴 ").Append(Bold(a.Key.Subject)).Append(' ').Append(Escape(a.Key.Kind.Name())).Append(" since ").Append(Duration(now - a.StartedAt)).Append('\n');
        }
        return sb.ToString().TrimEnd('\n');
    }

    public static string Help(Fleet.AdminRole role)
    {
        var sb = new StringBuilder("<b>Botvisor</b>: this bot runs the fleet from Telegram.\n\n");
        foreach (var c in AdminCommands.All.Where(c => c.Needs <= role)) sb.Append(Escape(c.Usage)).Append(" — ").Append(Escape(c.Description)).Append('\n');
        if (role == Fleet.AdminRole.View) sb.Append("\nYour role is view: you can look, not act.");
        return sb.ToString().TrimEnd('\n');
    }

    private static string Icon(BotSnapshot b) => b.State switch
    {
        BotLifecycleState.Running when b.Health == HealthVerdict.Unhealthy => "🟠",
        BotLifecycleState.Running => "🟢",
        BotLifecycleState.Failed => "🔴",
        BotLifecycleState.Backoff => "🟠",
        BotLifecycleState.Stopped => "⚪",
        _ => "🔵",
    };

    /// <summary>What is left of a wait: whole minutes, rounded up, past the first minute ("30m", not "29m59s").</summary>
    public static string Remaining(TimeSpan span) =>
        span > TimeSpan.FromMinutes(1) ? DurationParser.Format(TimeSpan.FromMinutes(Math.Ceiling(span.TotalMinutes))) : Duration(span);

    /// <summary>Whole seconds: "3m12s".</summary>
    public static string Duration(TimeSpan span) => DurationParser.Format(TimeSpan.FromSeconds(Math.Max(0, Math.Round(span.TotalSeconds))));
}
