using Botvisor.Core.State;
using Botvisor.Core.Storage;

namespace Botvisor.Core.Tests.Storage;

/// <summary>
/// The contract of a store that keeps what it was given past its disposal (SQLite, PostgreSQL next):
/// the whole <see cref="FleetStoreContract"/>, and everything is there again after reopening.
/// </summary>
public abstract class DurableFleetStoreContract : FleetStoreContract
{
    /// <summary>A new store over what the first one wrote (the same file, the same database).</summary>
    protected abstract IFleetStore Reopen();

    [Fact]
    public async Task EverythingSurvivesReopening()
    {
        var worker = new WorkerRecord("a", 100, 100, 12345, T0);
        var bot = new StoredBot("b", """{"command":["sleep","1"]}""", T0, "unix:root");
        var stored = await Store.AppendEventsAsync([Event("one", "a"), Event("two")]);
        await Store.SaveWorkersAsync([worker]);
        await Store.SaveBotAsync(bot);
        var snapshot = new SourceSnapshot("sensay", 7, T0, """[{"id":"a"}]""");
        await Store.SaveSourceSnapshotAsync(snapshot);
        await Store.DisposeAsync();

        Store = Reopen(); // DisposeAsync disposes whatever Store is now
        await Store.InitializeAsync();

        Assert.Equal(stored, await Store.ReadEventsAsync(0, 10));
        Assert.Equal([worker], await Store.LoadWorkersAsync());
        Assert.Equal([bot], await Store.LoadBotsAsync());
        Assert.Equal([snapshot], await Store.LoadSourceSnapshotsAsync());
        var next = await Store.AppendEventsAsync([Event("three")]);
        Assert.True(next[0].Id > stored[^1].Id);
    }

}
