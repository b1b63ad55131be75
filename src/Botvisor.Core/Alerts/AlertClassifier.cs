using Botvisor.Core.State;

namespace Botvisor.Core.Alerts;

/// <summary>
/// Reads alerts out of the event log, by event kind and state, so that any producer of those events
/// lights them up. Pure: one event in, signals out.
/// <list type="bullet">
/// <item><c>state</c>: <c>failed</c> fires bot_failed (token_rejected when the reason says Telegram
/// rejected the token); <c>running</c> and <c>stopped</c> resolve them; <c>backoff</c> counts a restart
/// (restart storms); a reason with "memory limit" is a memory_limit alert.</item>
/// <item><c>health</c>: "-&gt; unhealthy" starts the unhealthy clock, "-&gt; healthy"/"-&gt; unknown" stops it;
/// Telegram's 409 ("another instance is polling") is a conflict.</item>
/// <item><c>gateway</c>: a 409 or another poller on the bot's token is a conflict.</item>
/// <item><c>node</c>: state <c>gone</c> fires node_gone; <c>up</c>, <c>joined</c>, <c>alive</c> resolve it.</item>
/// <item><c>source</c>: remote sources' messages (see <see cref="FromSourceMessage"/>), or, with a state, <c>outage</c> fires source_outage, <c>ok</c>/<c>recovered</c> resolve it;
/// <c>held</c> fires source_held, <c>confirmed</c>/<c>released</c> resolve it.</item>
/// </list>
/// The subject of a node or source event is its <c>BotId</c> field when set, else its message's text
/// before the first ": " (producers write "node-b: …", "shop-api: …").
/// </summary>
public static class AlertClassifier
{
    public static IEnumerable<AlertSignal> Classify(BotEvent e)
    {
        switch (e.Kind)
        {
            case BotEventKinds.State when e.BotId is { } bot:
                foreach (var s in FromState(bot, e)) yield return s;
                break;
            case BotEventKinds.Health when e.BotId is { } bot:
                if (e.Message.Contains("another instance", StringComparison.Ordinal)) yield return new AlertSignal.Fire(new AlertKey(bot, AlertKind.Conflict), e.Message, e.Id);
                else if (e.Message.Contains("-> unhealthy", StringComparison.Ordinal)) yield return new AlertSignal.UnhealthyBegan(bot, e.Message, e.Id);
                else if (e.Message.Contains("-> healthy", StringComparison.Ordinal) || e.Message.Contains("-> unknown", StringComparison.Ordinal))
                {
                    yield return new AlertSignal.Resolve(new AlertKey(bot, AlertKind.Unhealthy), e.Message);
                }
                break;
            case BotEventKinds.Gateway when e.BotId is { } bot && IsConflict(e.Message):
                yield return new AlertSignal.Fire(new AlertKey(bot, AlertKind.Conflict), e.Message, e.Id);
                break;
            case BotEventKinds.Node:
                switch (e.State)
                {
                    case "gone": yield return new AlertSignal.Fire(new AlertKey(Subject(e), AlertKind.NodeGone), e.Message, e.Id); break;
                    case "up" or "joined" or "alive": yield return new AlertSignal.Resolve(new AlertKey(Subject(e), AlertKind.NodeGone), e.Message); break;
                }
                break;
            case BotEventKinds.Source when e.State is null:
                if (FromSourceMessage(e) is { } fromMessage) yield return fromMessage;
                break;
            case BotEventKinds.Source:
                switch (e.State)
                {
                    case "outage": yield return new AlertSignal.Fire(new AlertKey(Subject(e), AlertKind.SourceOutage), e.Message, e.Id); break;
                    case "ok" or "recovered": yield return new AlertSignal.Resolve(new AlertKey(Subject(e), AlertKind.SourceOutage), e.Message); break;
                    case "held": yield return new AlertSignal.Fire(new AlertKey(Subject(e), AlertKind.SourceHeld), e.Message, e.Id); break;
                    case "confirmed" or "released": yield return new AlertSignal.Resolve(new AlertKey(Subject(e), AlertKind.SourceHeld), e.Message); break;
                }
                break;
        }
    }

    private static IEnumerable<AlertSignal> FromState(string bot, BotEvent e)
    {
        yield return new AlertSignal.StateChanged(bot, e.State == "running");
        if (e.Message.Contains("memory limit", StringComparison.Ordinal) && e.State is not ("running" or "stopped"))
        {
            yield return new AlertSignal.Fire(new AlertKey(bot, AlertKind.MemoryLimit), e.Message, e.Id);
        }
        switch (e.State)
        {
            case "failed":
                var kind = e.Message.Contains("token rejected", StringComparison.Ordinal) ? AlertKind.TokenRejected : AlertKind.BotFailed;
                yield return new AlertSignal.Fire(new AlertKey(bot, kind), e.Message, e.Id);
                break;
            case "backoff":
                yield return new AlertSignal.Restarted(bot, e.Message);
                break;
            case "running" or "stopped":
                yield return new AlertSignal.Resolve(new AlertKey(bot, AlertKind.BotFailed), e.Message);
                yield return new AlertSignal.Resolve(new AlertKey(bot, AlertKind.TokenRejected), e.Message);
                break;
        }
    }

    /// <summary>
    /// Remote sources' events as <c>FleetController</c> and <c>RemoteSourceRunner</c> write them (no state):
    /// "source 'shop': fetch failed: …", "… fetching works again …", "… removal held …", "… is held until
    /// accepted …", "… the held removal is over …", "… removal accepted" / "… removal seen again and applied".
    /// </summary>
    private static AlertSignal? FromSourceMessage(BotEvent e)
    {
        const string prefix = "source '";
        var m = e.Message;
        if (!m.StartsWith(prefix, StringComparison.Ordinal)) return null;
        int end = m.IndexOf("': ", prefix.Length, StringComparison.Ordinal);
        if (end < 0) return null;
        var source = m[prefix.Length..end];
        bool Has(string text) => m.Contains(text, StringComparison.Ordinal);
        if (Has(": fetch failed: ")) return new AlertSignal.Fire(new AlertKey(source, AlertKind.SourceOutage), m[(end + 3)..], e.Id);
        if (Has("fetching works again")) return new AlertSignal.Resolve(new AlertKey(source, AlertKind.SourceOutage), m[(end + 3)..]);
        if (Has("removal held") || Has("is held until accepted")) return new AlertSignal.Fire(new AlertKey(source, AlertKind.SourceHeld), m[(end + 3)..], e.Id);
        if (Has("the held removal is over") || Has("removal accepted") || Has("removal seen again and applied"))
        {
            return new AlertSignal.Resolve(new AlertKey(source, AlertKind.SourceHeld), m[(end + 3)..]);
        }
        return null;
    }

    private static bool IsConflict(string message) =>
        message.Contains("409", StringComparison.Ordinal) || message.Contains("another instance", StringComparison.Ordinal) || message.Contains("outside poller", StringComparison.Ordinal);

    private static string Subject(BotEvent e)
    {
        if (e.BotId is { Length: > 0 } id) return id;
        // "source 'shop': …" names its source as FromSourceMessage does.
        if (e.Message.StartsWith("source '", StringComparison.Ordinal) && e.Message.IndexOf('\'', 8) is > 8 and var end) return e.Message[8..end];
        int colon = e.Message.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 ? e.Message[..colon] : e.Message;
    }
}
