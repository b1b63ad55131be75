using Botvisor.Core.State;
using Botvisor.Core.Storage;

namespace Botvisor.Core.Tests.Storage;

/// <summary>
/// What every <see cref="IFleetStore"/> does, run once per store by a subclass that says how to open one:
/// <c>InMemoryFleetStoreContractTests</c> here, <c>SqliteFleetStoreContractTests</c> in the integration tests
/// (which compile this file too). SQLite is the reference: where the others differed, they were made to agree.
/// </summary>
public abstract class FleetStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    /// <summary>The store under test, initialized.</summary>
    protected IFleetStore Store { get; set; } = null!;

    /// <summary>A new, empty store (not initialized).</summary>
    protected abstract IFleetStore CreateStore();

    protected virtual void Cleanup()
    {
    }

    public async ValueTask InitializeAsync()
    {
        Store = CreateStore();
        await Store.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Cleanup();
    }

    // ---- lifetime ------------------------------------------------------------------------------------

    [Fact]
    public async Task NewStore_IsEmpty_AndInitializingItAgain_IsHarmless()
    {
        await Store.AppendEventsAsync([Event("before", "a")]);
        await Store.SaveBotAsync(new StoredBot("a", "{}", T0, "token:ops"));

        await Store.InitializeAsync();

        Assert.Null(Store.Recovery);
        Assert.Equal(["before"], (await Store.ReadEventsAsync(0, 10)).Select(e => e.Message));
        Assert.Equal(["a"], (await Store.LoadBotsAsync()).Select(b => b.Id));

        await using var fresh = CreateStore();
        await fresh.InitializeAsync();
        Assert.Null(fresh.Recovery);
        Assert.Empty(await fresh.ReadEventsAsync(0, int.MaxValue));
        Assert.Empty(await fresh.ReadLatestEventsAsync(10));
        Assert.Empty(await fresh.LoadWorkersAsync());
        Assert.Empty(await fresh.LoadBotsAsync());
        Assert.Equal(0, await fresh.PruneEventsAsync(DateTimeOffset.MaxValue, keepNewest: 0, maxRows: 100));
    }

    [Fact]
    public async Task Dispose_Twice_IsHarmless_AndADisposedStoreRefusesWork()
    {
        var store = CreateStore();
        await store.InitializeAsync();
        await store.DisposeAsync();
        await store.DisposeAsync();

        await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => store.ReadEventsAsync(0, 10));
        await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => store.AppendEventsAsync([Event("late")]));
        await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => store.LoadWorkersAsync());
        await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => store.SaveBotAsync(new StoredBot("a", "{}", T0, "x")));
    }

    // ---- events --------------------------------------------------------------------------------------

    [Fact]
    public async Task AppendEvents_ReturnsThemInOrder_WithIncreasingIds_AndKeepsEveryField()
    {
        var first = await Store.AppendEventsAsync([
            new BotEvent { Time = T0, Kind = BotEventKinds.State, BotId = "a", State = "running", Message = "one", Epoch = 7 },
            new BotEvent { Time = T0, Kind = BotEventKinds.Audit, Message = "two", Actor = "token:alice" },
            new BotEvent { Time = T0.AddSeconds(1), Kind = BotEventKinds.State, BotId = "b", State = "stopped", Message = "three" },
        ]);
        var second = await Store.AppendEventsAsync([Event("four", "a") with { Kind = BotEventKinds.Node, Epoch = long.MaxValue }]);
        Assert.Empty(await Store.AppendEventsAsync([]));
        var fifth = await Store.AppendEventsAsync([Event("five", "a")]);

        var all = first.Concat(second).Concat(fifth).ToList();
        Assert.Equal(["one", "two", "three", "four", "five"], all.Select(e => e.Message));
        Assert.True(all[0].Id > 0);
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Id < p.Second.Id), "ids increase: " + string.Join(", ", all.Select(e => e.Id)));
        Assert.Equal(all, await Store.ReadEventsAsync(0, 100)); // every field, as appended (the epoch too, null where none)
        Assert.Equal(new long?[] { 7, null, null, long.MaxValue, null }, (await Store.ReadLatestEventsAsync(100)).Select(e => e.Epoch));
    }

    [Fact]
    public async Task AppendEvents_KeepsTimeToTheMillisecond()
    {
        var precise = T0.AddTicks(1234567); // 123.4567 ms
        var stored = await Store.AppendEventsAsync([new BotEvent { Time = precise, Kind = BotEventKinds.Daemon, Message = "m" }]);
        Assert.Equal(precise, stored[0].Time); // the caller's own event, with its id

        var read = Assert.Single(await Store.ReadEventsAsync(0, 10));
        Assert.Equal(T0.AddMilliseconds(123), read.Time);
        Assert.Equal(TimeSpan.Zero, read.Time.Offset);
    }

    [Fact]
    public async Task ReadEvents_AfterAnId_WithALimit_AndABotFilter_OldestFirst()
    {
        var s = await Store.AppendEventsAsync([
            Event("a1", "a"), Event("b1", "b"), Event("x1"), Event("a2", "a"), Event("b2", "b"), Event("a3", "a"), Event("x2"), Event("a4", "a"),
        ]);

        Assert.Equal(["a1", "b1", "x1", "a2", "b2", "a3", "x2", "a4"], Messages(await Store.ReadEventsAsync(0, int.MaxValue)));
        Assert.Equal(["a2", "b2", "a3"], Messages(await Store.ReadEventsAsync(s[2].Id, 3)));
        Assert.Equal(["a1", "a2", "a3", "a4"], Messages(await Store.ReadEventsAsync(0, 100, botId: "a")));
        Assert.Equal(["a2", "a3"], Messages(await Store.ReadEventsAsync(s[0].Id, 2, botId: "a"))); // the limit counts matches only
        Assert.Equal(["b2"], Messages(await Store.ReadEventsAsync(s[1].Id, 100, botId: "b")));
        Assert.Empty(await Store.ReadEventsAsync(s[^1].Id, 100));
        Assert.Empty(await Store.ReadEventsAsync(0, 100, botId: "nobody"));
        Assert.Empty(await Store.ReadEventsAsync(0, 0));
    }

    [Fact]
    public async Task ReadLatestEvents_TheNewestN_OldestFirst_WithABotFilter()
    {
        await Store.AppendEventsAsync([Event("a1", "a"), Event("b1", "b"), Event("a2", "a"), Event("x1"), Event("a3", "a"), Event("b2", "b")]);

        Assert.Equal(["a3", "b2"], Messages(await Store.ReadLatestEventsAsync(2)));
        Assert.Equal(["a2", "a3"], Messages(await Store.ReadLatestEventsAsync(2, botId: "a")));
        Assert.Equal(["a1", "a2", "a3"], Messages(await Store.ReadLatestEventsAsync(100, botId: "a")));
        Assert.Equal(["a1", "b1", "a2", "x1", "a3", "b2"], Messages(await Store.ReadLatestEventsAsync(100)));
        Assert.Empty(await Store.ReadLatestEventsAsync(0));
        Assert.Empty(await Store.ReadLatestEventsAsync(5, botId: "nobody"));
    }

    // ---- pruning -------------------------------------------------------------------------------------
    // Event times here never go backwards in id order, as a store receives them. Events whose time does (the
    // wall clock stepped back) are not pinned: SQLite then also deletes an old-timed event behind a kept one
    // when something is past the count, and nothing when only such an event is past the age (the in-memory
    // store copies that).

    [Fact]
    public async Task PruneEvents_ByAge_OldestFirst_AtMostMaxRowsAtATime()
    {
        var old = T0;
        var recent = T0.AddHours(1);
        await Store.AppendEventsAsync(Events(old, "old", 250));
        await Store.AppendEventsAsync(Events(recent, "new", 50));

        Assert.Equal(100, await Store.PruneEventsAsync(recent, keepNewest: 1000, maxRows: 100));
        Assert.Equal(Enumerable.Range(100, 150).Select(i => "old" + i).Concat(Enumerable.Range(0, 50).Select(i => "new" + i)),
            Messages(await Store.ReadEventsAsync(0, 1000)));
        Assert.Equal(100, await Store.PruneEventsAsync(recent, keepNewest: 1000, maxRows: 100));
        Assert.Equal(50, await Store.PruneEventsAsync(recent, keepNewest: 1000, maxRows: 100)); // fewer than maxRows: nothing else is due
        Assert.Equal(0, await Store.PruneEventsAsync(recent, keepNewest: 1000, maxRows: 100));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => "new" + i), Messages(await Store.ReadEventsAsync(0, 1000)));

        // An event exactly as old as the cut-off stays: only older ones go.
        Assert.Equal(0, await Store.PruneEventsAsync(recent, keepNewest: 1000, maxRows: 100));
        Assert.Equal(50, await Store.PruneEventsAsync(recent.AddMilliseconds(1), keepNewest: 1000, maxRows: 100));
    }

    [Fact]
    public async Task PruneEvents_ByCount_KeepsTheNewest()
    {
        await Store.AppendEventsAsync(Events(T0, "e", 50));

        Assert.Equal(0, await Store.PruneEventsAsync(T0, keepNewest: 50, maxRows: 100));
        Assert.Equal(10, await Store.PruneEventsAsync(T0, keepNewest: 40, maxRows: 10));
        Assert.Equal(20, await Store.PruneEventsAsync(T0, keepNewest: 20, maxRows: 100));
        Assert.Equal(Enumerable.Range(30, 20).Select(i => "e" + i), Messages(await Store.ReadEventsAsync(0, 1000)));
        Assert.Equal(0, await Store.PruneEventsAsync(T0, keepNewest: 20, maxRows: 100));

        Assert.Equal(20, await Store.PruneEventsAsync(T0, keepNewest: 0, maxRows: 100));
        Assert.Empty(await Store.ReadEventsAsync(0, 1000));
    }

    [Fact]
    public async Task PruneEvents_AnEventGoesWhenEitherLimitIsPassed()
    {
        await Store.AppendEventsAsync(Events(T0, "old", 5));
        await Store.AppendEventsAsync(Events(T0.AddHours(1), "new", 10));

        // The age takes the 5 old ones, the count 3 of the new ones: 8 of the oldest.
        Assert.Equal(8, await Store.PruneEventsAsync(T0.AddMinutes(30), keepNewest: 7, maxRows: 100));
        Assert.Equal(Enumerable.Range(3, 7).Select(i => "new" + i), Messages(await Store.ReadEventsAsync(0, 1000)));

        // Neither limit is passed now.
        Assert.Equal(0, await Store.PruneEventsAsync(T0.AddMinutes(30), keepNewest: 7, maxRows: 100));

        // The age alone takes more than the count would.
        Assert.Equal(7, await Store.PruneEventsAsync(T0.AddHours(2), keepNewest: 7, maxRows: 100));
        Assert.Empty(await Store.ReadEventsAsync(0, 1000));
    }

    [Fact]
    public async Task PruneEvents_NeverReusesIds_AndTheFiltersStillWork()
    {
        var first = await Store.AppendEventsAsync([Event("a1", "a"), Event("b1", "b"), Event("a2", "a")]);
        Assert.Equal(3, await Store.PruneEventsAsync(T0, keepNewest: 0, maxRows: 100));

        var next = await Store.AppendEventsAsync([Event("a3", "a"), Event("b2", "b")]);
        Assert.True(next[0].Id > first[^1].Id, $"id {next[0].Id} after {first[^1].Id}");
        Assert.Equal(["a3"], Messages(await Store.ReadEventsAsync(first[^1].Id, 10, botId: "a")));
        Assert.Equal(["b2"], Messages(await Store.ReadLatestEventsAsync(10, botId: "b")));
    }

    // ---- workers -------------------------------------------------------------------------------------

    [Fact]
    public async Task Workers_AreSavedAndLoaded_OneRecordPerBot_InBotIdOrder()
    {
        var b = new WorkerRecord("b", 200, 200, 2_000_000_000_000, T0);
        var a = new WorkerRecord("a", 100, 100, 1000, T0.AddSeconds(1));
        var c = new WorkerRecord("c", 300, 299, 3000, T0.AddSeconds(2));
        await Store.SaveWorkersAsync([b, a]);
        await Store.SaveWorkersAsync([c]);
        await Store.SaveWorkersAsync([]);

        Assert.Equal([a, b, c], await Store.LoadWorkersAsync());

        // A newer worker of the same bot replaces its record (the bot has one worker at a time).
        var a2 = new WorkerRecord("a", 101, 101, 1001, T0.AddSeconds(3));
        await Store.SaveWorkersAsync([a2]);
        Assert.Equal([a2, b, c], await Store.LoadWorkersAsync());

        // Within one batch too, the later record wins.
        var c2 = c with { Pid = 301, ProcessGroup = 301 };
        var c3 = c with { Pid = 302, ProcessGroup = 302 };
        await Store.SaveWorkersAsync([c2, c3]);
        Assert.Equal([a2, b, c3], await Store.LoadWorkersAsync());
    }

    [Fact]
    public async Task Workers_DeleteRemovesOnlyThatWorker()
    {
        var old = new WorkerRecord("a", 100, 100, 1000, T0);
        var current = new WorkerRecord("a", 200, 200, 2000, T0.AddSeconds(1));
        var other = new WorkerRecord("b", 300, 300, 3000, T0);
        await Store.SaveWorkersAsync([old, other]);
        await Store.SaveWorkersAsync([current]);

        await Store.DeleteWorkersAsync([old]); // a late delete of the replaced worker keeps the new one
        await Store.DeleteWorkersAsync([new WorkerRecord("nobody", 1, 1, 1, T0)]);
        await Store.DeleteWorkersAsync([]);
        Assert.Equal([current, other], await Store.LoadWorkersAsync());

        await Store.DeleteWorkersAsync([current, other]);
        Assert.Empty(await Store.LoadWorkersAsync());
    }

    [Fact]
    public async Task Workers_KeepStartedAtToTheMillisecond()
    {
        await Store.SaveWorkersAsync([new WorkerRecord("a", 100, 100, ulong.MaxValue >> 1, T0.AddTicks(1234567))]);
        var loaded = Assert.Single(await Store.LoadWorkersAsync());
        Assert.Equal(new WorkerRecord("a", 100, 100, ulong.MaxValue >> 1, T0.AddMilliseconds(123)), loaded);
    }

    // ---- bots ----------------------------------------------------------------------------------------

    [Fact]
    public async Task Bots_AreSavedReplacedAndDeleted_InIdOrder()
    {
        var b = new StoredBot("b", """{"command":["sleep","1"]}""", T0, "token:ops");
        var a = new StoredBot("a", """{"command":"python3 a.py"}""", T0.AddSeconds(1), "unix:root");
        await Store.SaveBotAsync(b);
        await Store.SaveBotAsync(a);
        Assert.Equal([a, b], await Store.LoadBotsAsync());

        var b2 = new StoredBot("b", """{"command":["sleep","2"]}""", T0.AddSeconds(2), "token:ci");
        await Store.SaveBotAsync(b2);
        Assert.Equal([a, b2], await Store.LoadBotsAsync());

        await Store.DeleteBotAsync("a");
        await Store.DeleteBotAsync("nobody");
        Assert.Equal([b2], await Store.LoadBotsAsync());
        await Store.DeleteBotAsync("b");
        Assert.Empty(await Store.LoadBotsAsync());
    }

    [Fact]
    public async Task Bots_KeepUpdatedAtToTheMillisecond()
    {
        await Store.SaveBotAsync(new StoredBot("a", "{}", T0.AddTicks(1234567), "x"));
        Assert.Equal(new StoredBot("a", "{}", T0.AddMilliseconds(123), "x"), Assert.Single(await Store.LoadBotsAsync()));
    }

    // ---- remote sources' last good lists -----------------------------------------------------------

    [Fact]
    public async Task SourceSnapshots_AreSavedReplacedAndDeleted_InNameOrder_TimesToTheMillisecond()
    {
        var b = new SourceSnapshot("sensay", 3, T0.AddTicks(1234567), """[{"id":"a","token":"1:x"}]""");
        var a = new SourceSnapshot("acme", 1, T0, "[]");
        await Store.SaveSourceSnapshotAsync(b);
        await Store.SaveSourceSnapshotAsync(a);
        Assert.Equal([a, b with { FetchedAt = T0.AddMilliseconds(123) }], await Store.LoadSourceSnapshotsAsync());

        var b2 = new SourceSnapshot("sensay", 4, T0.AddSeconds(5), "[]");
        await Store.SaveSourceSnapshotAsync(b2);
        Assert.Equal([a, b2], await Store.LoadSourceSnapshotsAsync());

        await Store.DeleteSourceSnapshotAsync("acme");
        await Store.DeleteSourceSnapshotAsync("nobody");
        Assert.Equal([b2], await Store.LoadSourceSnapshotsAsync());
    }

    // ---- helpers -------------------------------------------------------------------------------------

    protected static BotEvent Event(string message, string? botId = null) =>
        new() { Time = T0, Kind = BotEventKinds.State, BotId = botId, State = botId is null ? null : "running", Message = message };

    private static List<BotEvent> Events(DateTimeOffset time, string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => new BotEvent { Time = time, Kind = BotEventKinds.Daemon, Message = prefix + i }).ToList();

    private static List<string> Messages(IReadOnlyList<BotEvent> events) => events.Select(e => e.Message).ToList();
}
