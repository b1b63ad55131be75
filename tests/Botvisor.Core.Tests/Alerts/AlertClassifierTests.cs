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

    [Fact]
    public void Classify_AlertAndAuditEvents_AreNoAlerts()
    {
        Assert.Empty(AlertClassifier.Classify(new BotEvent { Time = DateTimeOffset.UnixEpoch, Kind = BotEventKinds.Alert, BotId = "x", Message = "alert sent: x failed" }));
        Assert.Empty(AlertClassifier.Classify(new BotEvent { Time = DateTimeOffset.UnixEpoch, Kind = BotEventKinds.Audit, BotId = "x", State = "failed", Message = "telegram:1: stop x: ok" }));
    }
}
