using System.Collections.Immutable;
using HazardGrid.Escalations;
using HazardGrid.Hazards;
using HazardGrid.Rollups;
using HazardGrid.Tests.Infrastructure;
using Orleans.Storage;
using Orleans.TestingHost;
using Xunit;
using Xunit.Abstractions;
using Sector = HazardGrid.Enterprises.Sector;

namespace HazardGrid.Tests.TownLedger;

/// <summary>
/// A busy town's batches fall in every part of its ledger: a write stores them in the recent part
/// instead of storing the whole ledger again, and moves them into their parts now and then. The
/// store records how many hazard facts each ledger write stored; a fresh activation reads
/// everything back, newer versions in the recent part over older ones in the parts.
/// </summary>
public sealed class TownLedgerRecentPartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Batches = 40;
    private const int BatchSize = 16;

    private readonly RecordingStorage _storage = new();
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(new TestClusterSettings
        {
            ServiceId = "ledger-recent-test",
            Storage = TestStorage.InMemoryBehind(inner =>
            {
                _storage.Inner = inner;
                return _storage;
            }),
        });

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Batches_over_every_part_store_less_than_the_whole_ledger_and_a_new_activation_reads_them_all_back()
    {
        var town = TestData.TownsOf("370406", 5)[4];
        var code = TestData.NewCreditCode(town);
        var grain = _cluster.Client.Town(town);
        await grain.GetStatus();

        // Batch after batch of new hazards; every fourth batch also starts the rectification of
        // the batch before it (version 2), so newer versions land in the recent part while older
        // ones sit in the parts, and the other way round after a move.
        var wholeLedgerFacts = 0L;
        var applied = new Dictionary<string, HazardFacts>(StringComparer.Ordinal);
        for (var b = 0; b < Batches; b++)
        {
            var batch = Enumerable.Range(b * BatchSize + 1, BatchSize).Select(n => Facts(town, code, n, 1, HazardStatus.Registered)).ToList();
            if (b % 4 == 3)
            {
                batch.AddRange(Enumerable.Range((b - 1) * BatchSize + 1, BatchSize).Select(n => Facts(town, code, n, 2, HazardStatus.Rectifying)));
            }

            await grain.ApplyHazardFacts([.. batch]);
            batch.ForEach(f => applied[f.HazardId] = f);
            wholeLedgerFacts += applied.Count;
        }

        var expected = (Registered: applied.Values.Count(f => f.Status == HazardStatus.Registered), Rectifying: applied.Values.Count(f => f.Status == HazardStatus.Rectifying));
        var status = (await grain.GetStatus()).Figures;
        Assert.Equal(expected, (status.Registered, status.Rectifying));

        // Stored in both ways, and much less than the whole ledger at every write (which is what
        // storing the parts a batch falls in comes to when it falls in all of them).
        output.WriteLine($"{_storage.RecentWrites} recent-part writes, {_storage.PartWrites} part writes; {_storage.StoredFacts} facts stored against {wholeLedgerFacts} for the whole ledger at every write");
        Assert.True(_storage.RecentWrites > Batches / 2, $"{_storage.RecentWrites} recent-part writes");
        Assert.True(_storage.PartWrites > 0);
        Assert.True(_storage.StoredFacts < wholeLedgerFacts / 2, $"{_storage.StoredFacts} facts stored, {wholeLedgerFacts} for the whole ledger at every write");

        // A fresh activation (the recent part read again) holds every fact at its newest version.
        var reads = _storage.RecentReads;
        await Eventually.Holds(async () =>
        {
            await _cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
            await grain.GetStatus();
            Assert.True(_storage.RecentReads > reads, "the town to be activated again");
        }, "the town to be activated again");
        var reread = (await grain.GetStatus()).Figures;
        Assert.Equal(expected, (reread.Registered, reread.Rectifying));
        var stored = await grain.GetStoredHazardFacts();
        Assert.Equal(
            applied.Values.Select(f => (f.HazardId, f.Version)).Order(),
            stored.Select(f => (f.HazardId, f.Version)).Order());
    }

    private static HazardFacts Facts(string town, string code, int number, long version, HazardStatus status) =>
        new($"{code}/{number}", version, code, town, Sector.Chemicals, status, ClusterFixture.Start.AddDays(-1),
            status == HazardStatus.Rectifying ? ClusterFixture.Start.AddDays(30) : null, null, SupervisionLevel.County, []);

    /// <summary>Grain storage that passes everything to <see cref="Inner"/> and counts the town
    /// ledger's writes: to the recent part or to the parts, and the hazard facts they stored.</summary>
    private sealed class RecordingStorage : IGrainStorage
    {
        private int _recentWrites;
        private int _partWrites;
        private long _storedFacts;
        private int _recentReads;

        public IGrainStorage Inner { get; set; } = null!;

        public int RecentWrites => Volatile.Read(ref _recentWrites);

        public int PartWrites => Volatile.Read(ref _partWrites);

        public long StoredFacts => Interlocked.Read(ref _storedFacts);

        public int RecentReads => Volatile.Read(ref _recentReads);

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (stateName == "ledger-recent")
            {
                Interlocked.Increment(ref _recentReads);
            }

            return Inner.ReadStateAsync(stateName, grainId, grainState);
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (grainState.State is TownLedgerState ledger)
            {
                Interlocked.Increment(ref stateName == "ledger-recent" ? ref _recentWrites : ref _partWrites);
                Interlocked.Add(ref _storedFacts, ledger.Hazards.Count);
            }

            return Inner.WriteStateAsync(stateName, grainId, grainState);
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            Inner.ClearStateAsync(stateName, grainId, grainState);
    }
}
