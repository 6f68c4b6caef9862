using HazardGrid.Silo.Storage;
using HazardGrid.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Serialization;
using Orleans.Storage;
using Xunit;

namespace HazardGrid.Tests.Storage;

/// <summary>
/// The group commit on a real PostgreSQL with the project's schema: many grains' writes share a
/// transaction, and no caller hears of success before the transaction holding its write has
/// committed. The store is failed mid-batch by a deferred constraint trigger, which raises only at
/// COMMIT, after every statement of the batch has run: an implementation that answered callers as
/// their statements ran would report those writes as done.
/// </summary>
public sealed class GroupCommitTests : IAsyncLifetime
{
    private static readonly IServiceProvider s_services = new ServiceCollection().AddSerializer().BuildServiceProvider();
    private static readonly Serializer s_serializer = s_services.GetRequiredService<Serializer>();
    private static readonly Orleans.Serialization.Serializers.IActivatorProvider s_activators = s_services.GetRequiredService<Orleans.Serialization.Serializers.IActivatorProvider>();

    private PostgresServer? _server;
    private string _database = "";

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.StartAsync();
        _database = await _server.CreateDatabaseAsync();
        await PostgreSqlSchema.MigrateAsync(_database);

        // A write to a "slow-*" grain holds its transaction for a while, so that the writes
        // arriving meanwhile queue for the next one; a "poison-*" grain's row fails the commit.
        await Sql("""
            CREATE FUNCTION hg_test_slow() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_sleep(1.5); RETURN NEW; END $$;
            CREATE TRIGGER hg_test_slow BEFORE INSERT OR UPDATE ON hg_grain_state
                FOR EACH ROW WHEN (NEW.grain_id_ext LIKE 'slow-%') EXECUTE FUNCTION hg_test_slow();
            CREATE FUNCTION hg_test_poison() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'poisoned at commit: %', NEW.grain_id_ext; END $$;
            CREATE CONSTRAINT TRIGGER hg_test_poison AFTER INSERT OR UPDATE ON hg_grain_state
                DEFERRABLE INITIALLY DEFERRED
                FOR EACH ROW WHEN (NEW.grain_id_ext LIKE 'poison-%') EXECUTE FUNCTION hg_test_poison();
            """);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_commit_that_fails_fails_every_write_in_it_and_answers_none_of_them_with_success()
    {
        var store = Store(writers: 1);
        var held = Write(store, "slow-0", "first");
        await WaitForTheHeldTransaction();

        // These queue while the first transaction is held, so they go into the next one together.
        var innocent = Enumerable.Range(0, 20).Select(i => Write(store, $"grain-{i}", $"state {i}")).ToArray();
        var poisoned = Write(store, "poison-0", "bad");

        Assert.Equal("1", (await held).ETag);
        foreach (var write in innocent.Append(poisoned))
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => write);
            Assert.Contains("poisoned at commit: poison-0", error.MessageText, StringComparison.Ordinal);
        }

        Assert.Equal(0, await Count("grain-%"));
        Assert.Equal(0, await Count("poison-%"));
        Assert.Equal(1, store.Commits);   // the held write's; the failed one is not counted

        // The store is not wedged: the same grains write again, each from a fresh state.
        var again = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Write(store, $"grain-{i}", $"again {i}")));
        Assert.All(again, state => Assert.Equal("1", state.ETag));
        Assert.Equal(20, await Count("grain-%"));
        Assert.Equal("again 7", await Stored(store, "grain-7"));
    }

    [Fact]
    public async Task A_version_conflict_fails_only_its_own_write_and_the_rest_of_the_group_commits()
    {
        var store = Store(writers: 1);
        var a = await Write(store, "grain-a", "a1");
        var b = await Write(store, "grain-b", "b1");

        var held = Write(store, "slow-1", "hold");
        await WaitForTheHeldTransaction();
        var nextA = Write(store, "grain-a", "a2", a.ETag);
        var staleB = Write(store, "grain-b", "b2", etag: null);   // a second activation's first write
        var newC = Write(store, "grain-c", "c1");

        await held;
        Assert.Equal("2", (await nextA).ETag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => staleB);
        Assert.Equal("1", (await newC).ETag);
        Assert.Equal("a2", await Stored(store, "grain-a"));
        Assert.Equal("b1", await Stored(store, "grain-b"));
        Assert.Equal(b.ETag, await Version("grain-b"));
    }

    [Fact]
    public async Task Writes_arriving_together_share_transactions_and_each_is_stored_and_read_back_in_groups()
    {
        var store = Store(writers: 2, groupReads: true);
        var written = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Write(store, $"grain-{i}", $"state {i}")));

        Assert.All(written, state => Assert.Equal("1", state.ETag));
        Assert.Equal(400, await Count("grain-%"));
        Assert.Equal(400, store.WritesCommitted);
        Assert.True(store.Commits < 400 / 2, $"{store.Commits} transactions for 400 writes arriving together");

        // Read back together (grouped into a few round trips), with a grain never written among them.
        var never = new GrainState<List<string>>();
        var neverRead = store.ReadStateAsync("state", GrainId.Create("test", "grain-400"), never);
        var read = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Stored(store, $"grain-{i}")));
        await neverRead;
        Assert.Equal(Enumerable.Range(0, 400).Select(i => $"state {i}"), read);
        Assert.False(never.RecordExists);
        Assert.NotNull(never.State);
        Assert.Empty(never.State!);
        Assert.Null(never.ETag);
    }

    [Fact]
    public async Task A_read_of_another_grain_type_goes_ahead_of_a_flood_of_one_types_reads()
    {
        // A starting silo's region tree queues thousands of reads at once; the first caller's
        // enterprise read, queued after them, must not wait for all of them (bench/README.md,
        // "cold start, traced"). One reader, and each group's round trip waits for a permit, so
        // the groups are formed from what is queued and released one at a time.
        var opening = new SemaphoreSlim(0);
        var permits = new SemaphoreSlim(0);
        var store = Store(writers: 1, groupReads: true, connect: () =>
        {
            opening.Release();
            permits.Wait();
            return new NpgsqlConnection(_database);
        });
        var first = store.ReadStateAsync("ledger", GrainId.Create("region", "first"), new GrainState<List<string>>());
        await opening.WaitAsync(); // the reader holds the first read alone, waiting for its permit
        var towns = Enumerable.Range(0, 2_000)
            .Select(i => store.ReadStateAsync("ledger", GrainId.Create("region", $"town-{i}"), new GrainState<List<string>>())).ToList();
        var enterprise = store.ReadStateAsync("enterprise", GrainId.Create("enterprise", "first-caller"), new GrainState<List<string>>());

        // Two round trips: the first read's, then one group of 256 from the 2,001 queued. In
        // arrival order that group would be towns 0–255; taken by type in turn, it holds the
        // enterprise and towns 0–254.
        permits.Release(2);
        Assert.Same(enterprise, await Task.WhenAny(enterprise, towns[255]));

        permits.Release(100);
        await Task.WhenAll(towns.Append(first));
        Assert.All(towns, read => Assert.True(read.IsCompletedSuccessfully));
    }

    private GroupCommitGrainStorage Store(int writers, bool groupReads = false, Func<System.Data.Common.DbConnection>? connect = null) => new(
        "test",
        new ReadsByStatement(_database),
        connect ?? (() => new NpgsqlConnection(_database)),
        new OrleansGrainStorageSerializer(s_serializer),
        "group-commit-test",
        new GroupCommitOptions(writers, MaxWritesPerCommit: 256, groupReads),
        s_activators,
        NullLogger<GroupCommitGrainStorage>.Instance);

    private static async Task<GrainState<string>> Write(GroupCommitGrainStorage store, string key, string value, string? etag = null)
    {
        var state = new GrainState<string>(value) { ETag = etag };
        await store.WriteStateAsync("state", GrainId.Create("test", key), state);
        return state;
    }

    private static async Task<string?> Stored(GroupCommitGrainStorage store, string key)
    {
        var state = new GrainState<string>();
        await store.ReadStateAsync("state", GrainId.Create("test", key), state);
        return state.RecordExists ? state.State : null;
    }

    private async Task WaitForTheHeldTransaction() =>
        await Eventually.Holds(async () =>
        {
            await using var connection = new NpgsqlConnection(_database);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = current_database()", connection);
            Assert.True((long)(await command.ExecuteScalarAsync())! > 0);
        }, "the slow write's transaction to be under way");

    private async Task<long> Count(string pattern)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM hg_grain_state WHERE grain_id_ext LIKE $1", connection);
        command.Parameters.AddWithValue(pattern);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<string> Version(string key)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT version FROM hg_grain_state WHERE grain_id_ext = $1", connection);
        command.Parameters.AddWithValue(key);
        return ((int)(await command.ExecuteScalarAsync())!).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task Sql(string sql)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Reads back what the group commit wrote with the schema's own read statement, as Orleans'
    /// provider does in the service (the store under test only forwards reads).
    /// </summary>
    private sealed class ReadsByStatement(string database) : IGrainStorage
    {
        public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            var key = StateRowKey.Of(stateName, grainId);
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT payload, version FROM hg_grain_state WHERE service_id = 'group-commit-test' AND grain_type = $1 AND grain_id_n0 = $2 AND grain_id_n1 = $3 AND grain_id_ext = $4",
                connection);
            command.Parameters.AddWithValue(key.StateName);
            command.Parameters.AddWithValue(key.N0);
            command.Parameters.AddWithValue(key.N1);
            command.Parameters.AddWithValue(key.Extension ?? "");
            await using var reader = await command.ExecuteReaderAsync();
            if (await reader.ReadAsync())
            {
                grainState.State = new OrleansGrainStorageSerializer(s_serializer).Deserialize<T>(new BinaryData((byte[])reader[0]));
                grainState.ETag = reader.GetInt32(1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                grainState.RecordExists = true;
            }
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => throw new NotSupportedException();

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => throw new NotSupportedException();
    }
}
