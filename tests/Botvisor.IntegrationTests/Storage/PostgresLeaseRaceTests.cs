using Botvisor.Core.Cluster;
using Botvisor.IntegrationTests.Cluster;
using Botvisor.Storage.Postgres;
using Npgsql;

namespace Botvisor.IntegrationTests.Storage;

/// <summary>
/// The lease statements racing each other on a real PostgreSQL, at the store's level: two nodes (two stores,
/// two connection pools) fire at the same instant, many times over, and whatever order the database picks,
/// a lease has one holder, its epoch only grows, and an old holder's release or renewal never touches a new
/// holder's lease.
/// </summary>
public sealed class PostgresLeaseRaceTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly NodeRegistration A = new("a", "test", "http://a", Instance: "instance-a");
    private static readonly NodeRegistration B = new("b", "test", "http://b", Instance: "instance-b");
    private readonly List<string> _bots = Enumerable.Range(1, 200).Select(i => $"bot{i:D3}").ToList();
    private string _database = "";
    private PostgresFleetStore _a = null!;
    private PostgresFleetStore _b = null!;

    public async ValueTask InitializeAsync()
    {
        _database = await TestPostgres.CreateDatabaseAsync("races");
        _a = new PostgresFleetStore(_database, "a");
        _b = new PostgresFleetStore(_database, "b");
        await _a.InitializeAsync();
        await _b.InitializeAsync();
        await _a.HeartbeatAsync(A, Lease);
        await _b.HeartbeatAsync(B, Lease);
    }

    public async ValueTask DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(_database);
    }

    [Fact]
    public async Task TwoNodesClaimingTheSameFreeBotsAtOnce_EachBotGoesToExactlyOne_AndEpochsOnlyGrow()
    {
        var last = new Dictionary<string, long>(StringComparer.Ordinal);
        var reversed = _bots.AsEnumerable().Reverse().ToList(); // the other node asks in another order (its own fleet's)
        for (int round = 0; round < 30; round++)
        {
            var (fromA, fromB) = await AtOnceAsync(() => _a.ClaimAsync(A, _bots, Lease), () => _b.ClaimAsync(B, reversed, Lease));

            var a = fromA.ToDictionary(g => g.BotId, g => g.Epoch);
            var b = fromB.ToDictionary(g => g.BotId, g => g.Epoch);
            Assert.Empty(a.Keys.Intersect(b.Keys));
            Assert.Equal(_bots.Count, a.Count + b.Count); // nothing left unclaimed: a row one node locked is the other's to skip
            var rows = await RowsAsync();
            foreach (var bot in _bots)
            {
                var (holder, epoch) = a.TryGetValue(bot, out long ea) ? ("a", ea) : ("b", b[bot]);
                Assert.Equal((holder, epoch), rows[bot]); // the grant is what the database holds
                Assert.True(epoch > last.GetValueOrDefault(bot), $"round {round}: {bot}'s epoch {epoch} did not grow past {last.GetValueOrDefault(bot)}");
                last[bot] = epoch;
            }
            await FreeAllAsync();
        }
    }

    [Fact]
    public async Task TwoNodesClaimingBotsWithNoLeaseRowYet_InOppositeOrders_NeitherFails_AndEachBotGoesToExactlyOne()
    {
        // The first claim of a bot creates its row: two nodes creating the same rows in opposite orders must not deadlock.
        for (int round = 0; round < 30; round++)
        {
            var bots = _bots.Select(b => $"r{round}-{b}").ToList();
            var reversed = bots.AsEnumerable().Reverse().ToList();
            var (fromA, fromB) = await AtOnceAsync(() => _a.ClaimAsync(A, bots, Lease), () => _b.ClaimAsync(B, reversed, Lease));
            Assert.Empty(fromA.Select(g => g.BotId).Intersect(fromB.Select(g => g.BotId)));
            Assert.Equal(bots.Order(StringComparer.Ordinal), fromA.Concat(fromB).Select(g => g.BotId).Order(StringComparer.Ordinal));
            Assert.All(fromA.Concat(fromB), g => Assert.Equal(1, g.Epoch));
        }
    }

    [Fact]
    public async Task AReleaseWithAnOldEpoch_RacingAClaimByAnotherNode_NeverFreesTheNewHoldersLease()
    {
        for (int round = 0; round < 30; round++)
        {
            // a holds every bot, but its leases have lapsed (a freeze, a cut): a's late release races b's claim.
            var held = await _a.ClaimAsync(A, _bots, Lease);
            Assert.Equal(_bots.Count, held.Count);
            await ExpireAllAsync();

            var (_, claimed) = await AtOnceAsync(async () => { await _a.ReleaseAsync(A, held); return true; }, () => _b.ClaimAsync(B, _bots, Lease));

            var rows = await RowsAsync();
            foreach (var g in claimed) Assert.Equal(("b", g.Epoch), rows[g.BotId]); // b's lease survived a's release
            foreach (var bot in _bots.Except(claimed.Select(g => g.BotId))) Assert.Null(rows[bot].Holder); // released (b skipped it while it was locked)
            await FreeAllAsync();
        }

        // And in the plain order: b has claimed, then a's release (its epoch one behind) arrives.
        var old = await _a.ClaimAsync(A, _bots, Lease);
        await ExpireAllAsync();
        var taken = await _b.ClaimAsync(B, _bots, Lease);
        await _a.ReleaseAsync(A, old);
        Assert.All(taken, g => Assert.Equal(("b", g.Epoch), (RowsAsync().Result)[g.BotId]));
        // Even under the same name, an epoch that is not the current one releases nothing.
        await _b.ReleaseAsync(B, taken.Select(g => g with { Epoch = g.Epoch - 1 }).ToList());
        Assert.All(taken, g => Assert.Equal(("b", g.Epoch), (RowsAsync().Result)[g.BotId]));
    }

    [Fact]
    public async Task ARenewalByANodeWhoseLeaseWasTakenOver_NeverRenewsTheNewHoldersLease()
    {
        // Expired, then claimed by b: a's next heartbeat renews nothing of it, and b's expiry is b's.
        var old = await _a.ClaimAsync(A, _bots, Lease);
        await ExpireAllAsync();
        var taken = await _b.ClaimAsync(B, _bots, TimeSpan.FromSeconds(5));
        Assert.Equal(_bots.Count, taken.Count);
        var expiries = await ExpiriesAsync();
        var view = await _a.HeartbeatAsync(A, Lease);
        Assert.Empty(view.Renewed);
        Assert.Equal(expiries, await ExpiriesAsync());
        Assert.All(taken, g => Assert.Equal(("b", g.Epoch), (RowsAsync().Result)[g.BotId]));
        await FreeAllAsync();

        // At the instant of expiry: a's renewal and b's claim race; a bot is renewed for a or claimed by b, never both,
        // and the database agrees with whichever won.
        for (int round = 0; round < 30; round++)
        {
            await _a.ClaimAsync(A, _bots, Lease);
            await ExecuteAsync("UPDATE leases SET expires_at = now() + interval '20 milliseconds'");
            await Task.Delay(15);
            var (renewed, claimed) = await AtOnceAsync(() => _a.HeartbeatAsync(A, Lease), () => _b.ClaimAsync(B, _bots, Lease));

            var r = renewed.Renewed.ToDictionary(g => g.BotId, g => g.Epoch);
            var c = claimed.ToDictionary(g => g.BotId, g => g.Epoch);
            Assert.Empty(r.Keys.Intersect(c.Keys));
            var rows = await RowsAsync();
            foreach (var (bot, epoch) in r) Assert.Equal(("a", epoch), rows[bot]);
            foreach (var (bot, epoch) in c) Assert.Equal(("b", epoch), rows[bot]);
            await FreeAllAsync();
        }
    }

    /// <summary>Runs both at the same instant (released together from a barrier, each on a thread of its own).</summary>
    private static async Task<(T1, T2)> AtOnceAsync<T1, T2>(Func<Task<T1>> first, Func<Task<T2>> second)
    {
        using var barrier = new Barrier(2);
        var one = Task.Factory.StartNew(() => { barrier.SignalAndWait(); return first(); }, TaskCreationOptions.LongRunning).Unwrap();
        var two = Task.Factory.StartNew(() => { barrier.SignalAndWait(); return second(); }, TaskCreationOptions.LongRunning).Unwrap();
        await Task.WhenAll(one, two);
        return (await one, await two);
    }

    private async Task<Dictionary<string, (string? Holder, long Epoch)>> RowsAsync()
    {
        await using var conn = new NpgsqlConnection(_database);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT bot_id, holder, epoch FROM leases", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new Dictionary<string, (string?, long)>(StringComparer.Ordinal);
        while (await reader.ReadAsync()) rows[reader.GetString(0)] = (reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2));
        return rows;
    }

    private async Task<Dictionary<string, DateTime>> ExpiriesAsync()
    {
        await using var conn = new NpgsqlConnection(_database);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT bot_id, expires_at FROM leases", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        while (await reader.ReadAsync()) rows[reader.GetString(0)] = reader.GetDateTime(1);
        return rows;
    }

    /// <summary>Every lease lapses now, by the database's clock (what a lease's time running out does, without the wait).</summary>
    private Task ExpireAllAsync() => ExecuteAsync("UPDATE leases SET expires_at = now() - interval '1 millisecond' WHERE holder IS NOT NULL");

    private Task FreeAllAsync() => ExecuteAsync("UPDATE leases SET holder = NULL, expires_at = '-infinity'");

    private async Task ExecuteAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(_database);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
