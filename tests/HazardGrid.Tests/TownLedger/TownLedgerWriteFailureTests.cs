using System.Collections.Immutable;
using HazardGrid.Accidents;
using HazardGrid.Escalations;
using HazardGrid.Hazards;
using HazardGrid.Regions;
using HazardGrid.Rollups;
using HazardGrid.Tests.Infrastructure;
using Orleans.Storage;
using Orleans.TestingHost;
using Xunit;
using Sector = HazardGrid.Enterprises.Sector;

namespace HazardGrid.Tests.TownLedger;

/// <summary>
/// A shared ledger write that fails fails every caller waiting on it, and the town keeps only
/// what was stored. The store is in memory, with a gate in front of the ledger's writes: a write
/// is held while callers pile up behind it, then failed.
/// </summary>
public sealed class TownLedgerWriteFailureTests : IAsyncLifetime
{
    private readonly GatedLedgerStorage _storage = new();
    private readonly GrainCallCounter _calls = new();
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await TestClusters.StartAsync(new TestClusterSettings
        {
            ServiceId = "ledger-failure-test",
            Storage = TestStorage.InMemoryBehind(inner =>
            {
                _storage.Inner = inner;
                return _storage;
            }),
            Silo = silo => silo.AddIncomingGrainCallFilter(_calls),
        });

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Every_caller_sharing_a_failed_write_fails_and_the_town_keeps_only_what_was_stored()
    {
        var town = TestData.TownsOf("370406", 2)[1];
        var code = TestData.NewCreditCode(town);
        var grain = _cluster.Client.Town(town);
        var first = Facts(town, code, 1);
        await grain.ApplyHazardFacts([first]);
        var applied = _calls.Reached(GrainsForTests.ApplyHazardFacts);

        // Hold the next ledger write, and pile callers up behind it.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _storage.Gate = gate;
        var attempts = _storage.LedgerWriteAttempts;
        var held = grain.ApplyHazardFacts([Facts(town, code, 2)]);
        await Eventually.Until(() => _storage.LedgerWriteAttempts > attempts, "the town to start writing hazard 2");
        var behind = Enumerable.Range(3, 30).Select(n => grain.ApplyHazardFacts([Facts(town, code, n)])).ToList();
        var repeat = grain.ApplyHazardFacts([Facts(town, code, 2)]);

        // Facts already stored are answered at once, and reads see only what is stored.
        await grain.ApplyHazardFacts([first]).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, (await grain.GetStatus()).Figures.Registered);
        Assert.False(held.IsCompleted || repeat.IsCompleted || behind.Any(t => t.IsCompleted));

        // Fail the write only once every call behind it has reached the town: each has then
        // joined the write in flight or the pending batch behind it (the filter counts a call
        // once the town has run it up to its wait for that write).
        await Eventually.Until(
            () => _calls.Reached(GrainsForTests.ApplyHazardFacts) >= applied + 1 + behind.Count + 1 + 1,
            "the held call, the 30 behind it, the repeat and the stored one to have reached the town");
        gate.SetException(new IOException("the disk went away"));
        foreach (var call in behind.Append(held).Append(repeat))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        }

        // Neither counted nor kept: the town (a fresh activation, or the failed one rolled back)
        // holds hazard 1 only.
        _storage.Gate = null;
        Assert.Equal(1, (await grain.GetStatus()).Figures.Registered);

        // Retried, every call succeeds and is counted.
        await Task.WhenAll(Enumerable.Range(2, 31).Select(n => grain.ApplyHazardFacts([Facts(town, code, n)])));
        Assert.Equal(32, (await grain.GetStatus()).Figures.Registered);
    }

    [Fact]
    public async Task A_ledger_stored_whole_is_split_into_its_parts_and_loses_nothing()
    {
        // The layout before the ledger was split: every fact in the one state "ledger".
        var town = TestData.TownsOf("370406", 3)[2];
        var code = TestData.NewCreditCode(town);
        var facts = Enumerable.Range(1, 40).Select(n => Facts(town, code, n)).ToList();
        var id = _cluster.Client.Town(town).GetGrainId();

        // The silo wakes the region tree behind its start: let that finish first, or the town
        // may be active (holding an empty ledger it then writes back) when the old layout is stored.
        await _cluster.Client.GetGrain<IRollupGrain>(RegionCatalog.Shandong.Root.Code).GetStatus();
        var whole = new GrainState<TownLedgerState>(new TownLedgerState { Hazards = facts.ToImmutableDictionary(f => f.HazardId, StringComparer.Ordinal) });
        await _storage.Inner.WriteStateAsync("ledger", id, whole);

        // Retire the awake regions, so the town reads its ledger again (a grain busy at that
        // moment is skipped by the collection: then retire it again).
        await Eventually.Holds(async () =>
        {
            await _cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
            Assert.Equal(40, (await _cluster.Client.Town(town).GetStatus()).Figures.Registered);
        }, "the town to be activated again from the ledger stored whole");

        // Stored again in parts: each fact in exactly one of them, the first part no longer whole.
        var parts = new List<TownLedgerState>();
        foreach (var name in new[] { "ledger" }.Concat(Enumerable.Range(1, 7).Select(p => $"ledger-{p}")))
        {
            var part = new GrainState<TownLedgerState>();
            await _storage.Inner.ReadStateAsync(name, id, part);
            parts.Add(part.State ?? new TownLedgerState());
        }

        Assert.Equal(facts.Select(f => f.HazardId).Order(StringComparer.Ordinal), parts.SelectMany(p => p.Hazards.Keys).Order(StringComparer.Ordinal));
        Assert.True(parts[0].Hazards.Count < 40);
        Assert.True(parts.Count(p => p.Hazards.Count > 0) > 4);
    }

    private static HazardFacts Facts(string town, string code, int number) =>
        new($"{code}/{number}", 1, code, town, Sector.Chemicals, HazardStatus.Registered, ClusterFixture.Start.AddDays(-1),
            null, null, SupervisionLevel.County, []);

    /// <summary>Grain storage that passes everything to <see cref="Inner"/>, except that town
    /// ledger writes wait for <see cref="Gate"/> while one is set (and fail if it fails).</summary>
    private sealed class GatedLedgerStorage : IGrainStorage
    {
        private int _ledgerWriteAttempts;
        private volatile TaskCompletionSource? _gate;

        public IGrainStorage Inner { get; set; } = null!;

        public TaskCompletionSource? Gate { get => _gate; set => _gate = value; }

        public int LedgerWriteAttempts => Volatile.Read(ref _ledgerWriteAttempts);

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            Inner.ReadStateAsync(stateName, grainId, grainState);

        public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (stateName.StartsWith("ledger", StringComparison.Ordinal)) // the town ledger is stored in parts: ledger, ledger-1, …
            {
                Interlocked.Increment(ref _ledgerWriteAttempts);
                if (Gate is { } gate)
                {
                    await gate.Task;
                }
            }

            await Inner.WriteStateAsync(stateName, grainId, grainState);
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            Inner.ClearStateAsync(stateName, grainId, grainState);
    }
}
