using System.Text;
using Botvisor.Core.Configuration;
using static Botvisor.Core.Telegram.TelegramHtml;

namespace Botvisor.Core.Alerts;

/// <summary>
/// Renders a notification as Telegram HTML: one line per alert, or, when many new problems come at
/// once, a digest ("37 bots failed in 1m: a, b, c, … and 27 more").
/// </summary>
public static class AlertText
{
    /// <summary>How many subjects a digest line names before "and N more".</summary>
    public const int DigestNames = 20;

    private const int ReasonLength = 300;

    public static string Render(AlertBatch batch, int digestAfter)
    {
        var sb = new StringBuilder();
        if (batch.Firing.Count > digestAfter) Digest(sb, batch.Firing);
        else foreach (var a in batch.Firing) Line(sb, "🔴", a, a.Key.Kind.Verb(), a.Reason);
        foreach (var a in batch.Repeated) Line(sb, "🟠", a, "still " + a.Key.Kind.Verb().Replace("is ", "", StringComparison.Ordinal) + $" (since {Since(a.StartedAt, batch.Time)})", a.Reason);
        if (batch.Resolved.Count > digestAfter)
        {
            sb.Append("✅ ").Append(batch.Resolved.Count).Append(" recovered: ").Append(Names(batch.Resolved)).Append('\n');
        }
        else
        {
            foreach (var a in batch.Resolved) Line(sb, "✅", a, Recovered(a.Key.Kind) + $" after {Since(a.StartedAt, a.EndedAt ?? batch.Time)}", a.EndReason ?? "");
        }
        return sb.ToString().TrimEnd('\n');
    }

    /// <summary>A one-line plain summary for logs, events and webhooks ("crashy failed", "37 bots failed, 2 recovered").</summary>
    public static string Summary(AlertBatch batch)
    {
        var parts = new List<string>();
        if (batch.Firing.Count == 1) parts.Add($"{batch.Firing[0].Key.Subject} {batch.Firing[0].Key.Kind.Verb()}");
        else parts.AddRange(batch.Firing.GroupBy(a => a.Key.Kind).Select(g => $"{Count(g.Count(), g.Key)} {g.Key.Plural()}"));
        if (batch.Repeated.Count > 0) parts.Add($"{batch.Repeated.Count} still open");
        if (batch.Resolved.Count == 1) parts.Add($"{batch.Resolved[0].Key.Subject} {Recovered(batch.Resolved[0].Key.Kind)}");
        else if (batch.Resolved.Count > 1) parts.Add($"{batch.Resolved.Count} recovered");
        return string.Join(", ", parts);
    }

    private static void Digest(StringBuilder sb, IReadOnlyList<AlertNotice> firing)
    {
        foreach (var group in firing.GroupBy(a => a.Key.Kind))
        {
            var list = group.ToList();
            var span = list.Max(a => a.StartedAt) - list.Min(a => a.StartedAt);
            sb.Append("🔴 <b>").Append(Count(list.Count, group.Key)).Append(' ').Append(Escape(group.Key.Plural())).Append("</b>")
              .Append(" in ").Append(Escape(DurationParser.Format(RoundUp(span)))).Append(": ").Append(Names(list)).Append('\n');
            var reasons = list.GroupBy(a => Shorten(a.Reason, 120)).OrderByDescending(g => g.Count()).Take(3);
            foreach (var r in reasons) sb.Append("   ").Append(r.Count()).Append("× ").Append(Escape(r.Key)).Append('\n');
        }
    }

    private static string Names(IReadOnlyList<AlertNotice> list)
    {
        var names = string.Join(", ", list.Select(a => a.Key.Subject).Order(StringComparer.Ordinal).Take(DigestNames).Select(Escape));
        return list.Count > DigestNames ? $"{names} and {list.Count - DigestNames} more" : names;
    }

    private static void Line(StringBuilder sb, string icon, AlertNotice a, string what, string reason)
    {
        sb.Append(icon).Append(' ').Append(Bold(a.Key.Subject)).Append(' ').Append(Escape(what));
        if (reason.Length > 0) sb.Append(": ").Append(Escape(Shorten(reason, ReasonLength)));
        sb.Append('\n');
    }

    private static string Recovered(AlertKind kind) => kind switch
    {
        AlertKind.NodeGone => "is back",
        AlertKind.SourceOutage => "is reachable again",
        AlertKind.SourceHeld => "released its held removal",
        AlertKind.Conflict => "has one poller again",
        _ => "recovered",
    };

    private static string Count(int n, AlertKind kind) => $"{n} {kind.SubjectNoun()}{(n == 1 ? "" : "s")}";

    private static string Since(DateTimeOffset start, DateTimeOffset end) => DurationParser.Format(RoundUp(end - start));

    /// <summary>Whole seconds (at least one): "1m30s", not "1m29s417ms".</summary>
    private static TimeSpan RoundUp(TimeSpan span) => TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(span.TotalSeconds)));
}
