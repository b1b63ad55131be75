using Botvisor.Core.State;
using Botvisor.Core.Storage;
using Botvisor.Storage.Sqlite;

namespace Botvisor.IntegrationTests.Storage;

public class SqliteFleetStoreTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("botvisor-sqlite-").FullName;
    private SqliteFleetStore _store = null!;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteFleetStore(Path.Combine(_dir, "botvisor.db"));
        await _store.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Events_AreNumberedInOrder_AndReadBackAfterAnId()
    {
        var t = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        var stored = await _store.AppendEventsAsync([
            new BotEvent { Time = t, Kind = "state", BotId = "a", State = "running", Message = "one" },
            new BotEvent { Time = t, Kind = "audit", BotId = null, Message = "two", Actor = "alice" },
            new BotEvent { Time = t, Kind = "state", BotId = "b", State = "stopped", Message = "three" },
        ]);
        Assert.Equal([1L, 2L, 3L], stored.Select(e => e.Id));

        var after1 = await _store.ReadEventsAsync(1, 10);
        Assert.Equal(["two", "three"], after1.Select(e => e.Message));
        Assert.Equal("alice", after1[0].Actor);
        Assert.Equal(t, after1[0].Time);
        Assert.Equal(["one"], (await _store.ReadEventsAsync(0, 10, botId: "a")).Select(e => e.Message));
        Assert.Equal(["two", "three"], (await _store.ReadLatestEventsAsync(2)).Select(e => e.Message));
    }

    [Fact]
    public async Task Workers_SurviveReopening_AndDeleteOnlyRemovesThatWorker()
    {
        var w1 = new WorkerRecord("a", 100, 100, 12345, DateTimeOffset.FromUnixTimeMilliseconds(1000));
        var w2 = new WorkerRecord("a", 200, 200, 22345, DateTimeOffset.FromUnixTimeMilliseconds(2000));
        await _store.SaveWorkersAsync([w1]);
        await _store.SaveWorkersAsync([w2]); // the newer worker of the same bot replaces the record
        await _store.DeleteWorkersAsync([w1]); // a late delete of the old worker must not drop the new one

        await _store.DisposeAsync();
        _store = new SqliteFleetStore(Path.Combine(_dir, "botvisor.db"));
        await _store.InitializeAsync();

        Assert.Equal([w2], await _store.LoadWorkersAsync());
    }

    [Fact]
    public async Task PruneEvents_DeletesByAgeAndByCount_OldestFirst_AtMostMaxRowsAtATime()
    {
        var old = DateTimeOffset.FromUnixTimeMilliseconds(1_000_000);
        var recent = DateTimeOffset.FromUnixTimeMilliseconds(2_000_000);
        await _store.AppendEventsAsync(Enumerable.Range(0, 250).Select(i => new BotEvent { Time = old, Kind = "state", Message = "old" + i }).ToList());
        await _store.AppendEventsAsync(Enumerable.Range(0, 50).Select(i => new BotEvent { Time = recent, Kind = "state", Message = "new" + i }).ToList());

        // By age: the 250 old ones go, 100 at a time.
        Assert.Equal(100, await _store.PruneEventsAsync(recent, keepNewest: 1000, maxRows: 100));
        Assert.Equal(100, await _store.PruneEventsAsync(recent, keepNewest: 1000, maxRows: 100));
        Assert.Equal(50, await _store.PruneEventsAsync(recent, keepNewest: 1000, maxRows: 100));
        Assert.Equal(0, await _store.PruneEventsAsync(recent, keepNewest: 1000, maxRows: 100));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => "new" + i), (await _store.ReadEventsAsync(0, 1000)).Select(e => e.Message));

        // By count: the newest 20 stay.
        Assert.Equal(30, await _store.PruneEventsAsync(old, keepNewest: 20, maxRows: 100));
        Assert.Equal(Enumerable.Range(30, 20).Select(i => "new" + i), (await _store.ReadEventsAsync(0, 1000)).Select(e => e.Message));
        Assert.Equal(0, await _store.PruneEventsAsync(old, keepNewest: 20, maxRows: 100));

        // Ids keep growing after a prune (a reconnecting client's Last-Event-ID stays meaningful).
        var next = await _store.AppendEventsAsync([new BotEvent { Time = recent, Kind = "state", Message = "next" }]);
        Assert.Equal(301, next[0].Id);
    }
}
