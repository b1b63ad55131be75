using Botvisor.Core.Alerts;
using Botvisor.Core.State;

namespace Botvisor.Core.Tests.Alerts;

/// <summary>Events of producers other engineers are adding (nodes, sources, the gateway), synthetic here.</summary>
public class AlertClassifierTests
{
    private static AlertSignal One(string kind, string? bot, string? state, string message) =>
        Assert.Single(AlertClassifier.Classify(new BotEvent { Time = DateTimeOffset.UnixEpoch, Kind = kind, BotId = bot, State = state, Message = message }));

    [Theory]
    [InlineData(BotEventKinds.Node, null, "gone", "node-b: no heartbeat for 30s", "node-b", AlertKind.NodeGone, true)]
    [InlineData(BotEventKinds.Node, null, "up", "node-b: heartbeat again", "node-b", AlertKind.NodeGone, false)]
    [InlineData(BotEventKinds.Source, null, "outage", "shop-api: HTTP 503; keeping the last good state", "shop-api", AlertKind.SourceOutage, true)]
    [InlineData(BotEventKinds.Source, null, "recovered", "shop-api: fetched again", "shop-api", AlertKind.SourceOutage, false)]
    [InlineData(BotEventKinds.Source, null, "held", "shop-api: 40 of 50 bots would go; held until confirmed", "shop-api", AlertKind.SourceHeld, true)]
    [InlineData(BotEventKinds.Source, null, "confirmed", "shop-api: removal confirmed", "shop-api", AlertKind.SourceHeld, false)]
    [InlineData(BotEventKinds.Gateway, "echo", null, "409 from an outside poller on echo's token", "echo", AlertKind.Conflict, true)]
    public void Classify_EventsOfOtherProducers(string kind, string? bot, string? state, string message, string subject, AlertKind alert, bool fires)
    {
        var signal = One(kind, bot, state, message);
        var key = signal switch
        {
            AlertSignal.Fire f when fires => f.Key,
            AlertSignal.Resolve r when !fires => r.Key,
            _ => throw new Xunit.Sdk.XunitException($"unexpected {signal}"),
        };
        Assert.Equal(new AlertKey(subject, alert), key);
    }

    [Theory]
    [InlineData("source 'shop': fetch failed: HTTP 503; keeping the last good list (generation 4, 50 bot(s), from 2026-11-28 10:00:00Z); retrying with backoff", AlertKind.SourceOutage, true)]
    [InlineData("source 'shop': fetching works again after 3 failed attempt(s): 304 not modified", AlertKind.SourceOutage, false)]
    [InlineData("source 'shop': 40 of 50 bot(s) missing from the list (more than 50 %): removal held until the next fetch shows it again or `botvisor sources accept shop` (a, b)", AlertKind.SourceHeld, true)]
    [InlineData("source 'shop': the list is empty; removing all 50 bot(s) is held until accepted with `botvisor sources accept shop`", AlertKind.SourceHeld, true)]
    [InlineData("source 'shop': the held removal is over: the missing bots are back in the list", AlertKind.SourceHeld, false)]
    [InlineData("source 'shop': generation 5: 0 added, 0 changed, 40 removed (10 bot(s), removal accepted)", AlertKind.SourceHeld, false)]
    public void Classify_RemoteSourceMessagesAsTheyAreWritten(string message, AlertKind kind, bool fires)
    {
        var signal = One(BotEventKinds.Source, null, null, message);
        var key = fires ? Assert.IsType<AlertSignal.Fire>(signal).Key : Assert.IsType<AlertSignal.Resolve>(signal).Key;
        Assert.Equal(new AlertKey("shop", kind), key);
    }

    /// <summary>The remote sources' events as they are written now: with a state, named by the source in their text.</summary>
    [Theory]
    [InlineData(SourceEventStates.Outage, "source 'shop': fetch failed: HTTP 503; keeping the last good list; retrying with backoff", AlertKind.SourceOutage, true)]
    [InlineData(SourceEventStates.Recovered, "source 'shop': fetching works again after 3 failed attempt(s): not modified (304)", AlertKind.SourceOutage, false)]
    [InlineData(SourceEventStates.Held, "source 'shop': 40 of 50 bot(s) missing from the list (more than 10 %): removal held …", AlertKind.SourceHeld, true)]
    [InlineData(SourceEventStates.Released, "source 'shop': the held removal is over: the missing bots are back in the list", AlertKind.SourceHeld, false)]
    [InlineData(SourceEventStates.Confirmed, "source 'shop': generation 5: 0 added, 0 changed, 40 removed (10 bot(s), removal seen again and applied)", AlertKind.SourceHeld, false)]
    public void Classify_RemoteSourceEventsWithTheirStates(string state, string message, AlertKind kind, bool fires)
    {
        var signal = One(BotEventKinds.Source, null, state, message);
        var key = fires ? Assert.IsType<AlertSignal.Fire>(signal).Key : Assert.IsType<AlertSignal.Resolve>(signal).Key;
        Assert.Equal(new AlertKey("shop", kind), key);
    }

    [Fact]
    public void Classify_OrdinarySourceEvents_AreNoAlerts()
    {
        Assert.Empty(AlertClassifier.Classify(new BotEvent { Time = DateTimeOffset.UnixEpoch, Kind = BotEventKinds.Source, Message = "source 'shop': generation 2: 1 added, 0 changed, 0 removed (3 bot(s))" }));
        Assert.Empty(AlertClassifier.Classify(new BotEvent { Time = DateTimeOffset.UnixEpoch, Kind = BotEventKinds.Source, Message = "source 'shop': item 3 ('x') rejected: no command" }));
    }

    [Fact]
    public void Classify_AlertAndAuditEvents_AreNoAlerts()
    {
        Assert.Empty(AlertClassifier.Classify(new BotEvent { Time = DateTimeOffset.UnixEpoch, Kind = BotEventKinds.Alert, BotId = "x", Message = "alert sent: x failed" }));
        Assert.Empty(AlertClassifier.Classify(new BotEvent { Time = DateTimeOffset.UnixEpoch, Kind = BotEventKinds.Audit, BotId = "x", State = "failed", Message = "telegram:1: stop x: ok" }));
    }
}
