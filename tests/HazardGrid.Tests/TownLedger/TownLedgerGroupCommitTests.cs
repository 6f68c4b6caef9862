using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using HazardGrid.Accidents;
using HazardGrid.Common;
using HazardGrid.Escalations;
using HazardGrid.Hazards;
using HazardGrid.Rollups;
using HazardGrid.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using Xunit;
using Xunit.Abstractions;
using Sector = HazardGrid.Enterprises.Sector;

namespace HazardGrid.Tests.TownLedger;

/// <summary>
/// Concurrent writes to one town share ledger writes (group commit), and every acknowledged fact
/// is in the town's figures the moment its call returns, and in the store: a new cluster on the
/// same SQLite file counts all of them.
/// </summary>
public sealed class TownLedgerGroupCommitTests(ITestOutputHelper output) : IDisposable
{
    private const int Hazards = 200;
    private const int Rectified = 50;
    private const int Accidents = 5;

    private readonly string _data = Path.Combine(Path.GetTempPath(), "hazardgrid-ledger-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(ClusterFixture.Start);

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task Concurrent_calls_share_ledger_writes_and_every_acknowledged_fact_is_counted_and_stored()
    {
        var town = TestData.TownsOf("370406", 4)[3];
        var code = TestData.NewCreditCode(town);
        var now = _time.GetUtcNow();
        var expected = (Hazards - Rectified, Rectified, Accidents);

        await using (var cluster = await StartCluster())
        {
            var grain = cluster.Client.Town(town);
            await grain.GetStatus(); // activated before the burst, so the burst measures writes only

            long writes = 0;
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == HazardGridMetrics.MeterName && instrument.Name == "hazardgrid.ledger.writes")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref writes, value));
            listener.Start();

            // Every hazard registered (version 1); the first 50 also started (version 2), sent at
            // the same time so either may arrive first: the newer wins. The first 50 registrations
            // are sent twice (a retry is harmless), and every accident twice.
            var calls = new List<Func<Task>>();
            for (var n = 1; n <= Hazards; n++)
            {
                var registered = ImmutableArray.Create(Facts(town, code, n, 1, HazardStatus.Registered, now));
                calls.Add(() => grain.ApplyHazardFacts(registered));
                if (n <= Rectified)
                {
                    var started = ImmutableArray.Create(Facts(town, code, n, 2, HazardStatus.Rectifying, now));
                    calls.Add(() => grain.ApplyHazardFacts(started));
                    calls.Add(() => grain.ApplyHazardFacts(registered));
                }
            }

            for (var a = 1; a <= Accidents; a++)
            {
                var accident = new FatalAccident($"{code}/A{a}", code, town, now.AddHours(-a), 1, "事故", now);
                calls.Add(() => grain.ApplyFatalAccident(accident));
                calls.Add(() => grain.ApplyFatalAccident(accident));
            }

            Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(calls));
            await Task.WhenAll(calls.Select(call => Task.Run(call)));
            var written = Interlocked.Read(ref writes);
            output.WriteLine($"{calls.Count} calls, {Hazards + Rectified + Accidents} new facts, {written} ledger writes");

            // Acknowledged means counted: no waiting for anything.
            Assert.Equal(expected, Counted((await grain.GetStatus()).Figures));

            // Merged: with a write per call, every hazard and every accident would need its own.
            Assert.InRange(written, 1, Hazards + Accidents - 1);
            await cluster.StopAllSilosAsync();
        }

        // Acknowledged means stored: a new activation reads the ledger back from the file.
        await using var restarted = await StartCluster();
        Assert.Equal(expected, Counted((await restarted.Client.Town(town).GetStatus()).Figures));
    }

    private static (int Registered, int Rectifying, int Accidents) Counted(HazardFigures figures) =>
        (figures.Registered, figures.Rectifying, figures.FatalAccidentsThisYear);

    private static HazardFacts Facts(string town, string code, int number, long version, HazardStatus status, DateTimeOffset now) =>
        new($"{code}/{number}", version, code, town, Sector.Chemicals, status, now.AddDays(-1),
            status == HazardStatus.Rectifying ? now.AddDays(30) : null, null, SupervisionLevel.County, []);

    private Task<InProcessTestCluster> StartCluster() =>
        TestClusters.StartAsync(new TestClusterSettings { ServiceId = "ledger-test", Storage = TestStorage.Sqlite(_data), Time = _time });
}
