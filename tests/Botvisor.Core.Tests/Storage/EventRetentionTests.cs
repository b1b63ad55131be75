using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;
using Botvisor.Core.State;
using Botvisor.Core.Storage;
using Botvisor.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Botvisor.Core.Tests.Storage;

/// <summary>The event log's retention: the rule, the fleet file's <c>events:</c>, and the background pruner (in-memory store, FakeTimeProvider).</summary>
public class EventRetentionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Rule_KeepsAnEventYoungerThanMaxAge_WithFewerThanMaxCountNewerOnes()
    {
        var rule = new EventRetention { MaxAge = TimeSpan.FromDays(30), MaxCount = 100 };
        Assert.True(rule.Keeps(T0, newer: 99, now: T0 + TimeSpan.FromDays(30)));
        Assert.False(rule.Keeps(T0, newer: 0, now: T0 + TimeSpan.FromDays(30) + TimeSpan.FromMilliseconds(1)));
        Assert.False(rule.Keeps(T0, newer: 100, now: T0));
        Assert.Equal(TimeSpan.FromDays(30), EventRetention.Default.MaxAge);
        Assert.Equal(100_000, EventRetention.Default.MaxCount);
    }

    [Theory]
    [InlineData("30d", 30 * 24 * 60)]
    [InlineData("12h", 12 * 60)]
    [InlineData("90m", 90)]
    [InlineData("1h30m", 90)]
    public void MaxAge_IsWholeDaysOrADuration(string text, int minutes)
    {
        Assert.True(EventRetention.TryParseMaxAge(text, out var age, out var error), error);
        Assert.Equal(TimeSpan.FromMinutes(minutes), age);
    }

    [Fact]
    public void FleetFile_EventsSection_IsRead_AndDefaultsWhenAbsent()
    {
        var result = FleetFileLoader.Parse("events: { max_age: 7d, max_count: 5000 }\nbots: {}\n", "/f/botvisor.yaml", "/f", _ => null);
        Assert.Empty(result.Errors);
        Assert.Equal(new EventRetention { MaxAge = TimeSpan.FromDays(7), MaxCount = 5000 }, result.Fleet!.Events);

        var partial = FleetFileLoader.Parse("events: { max_count: 10 }\n", "/f/botvisor.yaml", "/f", _ => null);
        Assert.Equal(EventRetention.DefaultMaxAge, partial.Fleet!.Events!.MaxAge);
        Assert.Null(FleetFileLoader.Parse("bots: {}\n", "/f/botvisor.yaml", "/f", _ => null).Fleet!.Events);
    }

    [Theory]
    [InlineData("events: { max_age: 0d }", "events.max_age", "from 1m to 3650d")]
    [InlineData("events: { max_age: forever }", "events.max_age", "such as 30d")]
    [InlineData("events: { max_age: 20000d }", "events.max_age", "from 1m to 3650d")]
    [InlineData("events: { max_count: 0 }", "events.max_count", "at least 1")]
    [InlineData("events: { max_count: lots }", "events.max_count", "whole number")]
    [InlineData("events: { max_cnt: 5 }", "events.max_cnt", "did you mean 'max_count'")]
    [InlineData("events: 30d", "events", "mapping")]
    public void FleetFile_BadEventsValues_AreErrorsWithTheirPath(string yaml, string path, string message)
    {
        var result = FleetFileLoader.Parse(yaml + "\n", "/f/botvisor.yaml", "/f", _ => null);
        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
        Assert.NotNull(error.Location);
    }

    [Fact]
    public async Task Pruner_AtStart_DeletesEverythingPastTheAge_InAsManyBatchesAsItTakes()
    {
        var time = new FakeTimeProvider(T0 + TimeSpan.FromDays(31));
        var store = new InMemoryFleetStore();
        await store.AppendEventsAsync(Events(T0, EventPruner.BatchSize * 2 + 500));
        await store.AppendEventsAsync(Events(T0 + TimeSpan.FromDays(30), 3));
        await using var writer = new StoreWriter(store, NullLogger<StoreWriter>.Instance, time);
        await using var pruner = new EventPruner(store, writer, EventRetention.Default, time, NullLogger<EventPruner>.Instance);

        pruner.Start();
        await WaitUntilAsync(() => pruner.Runs >= 1);

        Assert.Equal(3, store.Events.Count);
    }

    [Fact]
    public async Task Pruner_RunsAgainEveryInterval_AsEventsAge()
    {
        var time = new FakeTimeProvider(T0);
        var store = new InMemoryFleetStore();
        await store.AppendEventsAsync(Events(T0, 10));
        var rule = new EventRetention { MaxAge = TimeSpan.FromHours(1), MaxCount = 1000 };
        await using var writer = new StoreWriter(store, NullLogger<StoreWriter>.Instance, time);
        await using var pruner = new EventPruner(store, writer, rule, time, NullLogger<EventPruner>.Instance);
        pruner.Start();
        await WaitUntilAsync(() => pruner.Runs >= 1);
        Assert.Equal(10, store.Events.Count);

        time.Advance(TimeSpan.FromHours(1) + EventPruner.DefaultInterval);
        await WaitUntilAsync(() => store.Events.Count == 0);
    }

    [Fact]
    public async Task Pruner_ARestartStormOfEvents_TriggersARunWithoutWaitingForTheInterval()
    {
        var time = new FakeTimeProvider(T0);
        var store = new InMemoryFleetStore();
        var rule = new EventRetention { MaxAge = TimeSpan.FromDays(30), MaxCount = 2000 };
        await using var writer = new StoreWriter(store, NullLogger<StoreWriter>.Instance, time);
        await using var pruner = new EventPruner(store, writer, rule, time, NullLogger<EventPruner>.Instance);
        pruner.Start();
        await WaitUntilAsync(() => pruner.Runs >= 1);
        Assert.Equal(1000, pruner.Threshold);

        foreach (var e in Events(T0, 5000)) writer.Record(e);
        await writer.FlushAsync();

        // No time passed: only the count of stored events can have started these runs.
        await WaitUntilAsync(() => pruner.Runs >= 2 && store.Events.Count <= rule.MaxCount + pruner.Threshold);
        Assert.Equal(5000, store.Events[^1].Id); // the newest are kept
    }

    private static List<BotEvent> Events(DateTimeOffset time, int count) =>
        Enumerable.Range(0, count).Select(i => new BotEvent { Time = time, Kind = BotEventKinds.Daemon, Message = "e" + i }).ToList();

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Event);
        while (!condition()) await Task.Delay(10, cts.Token);
    }
}
