using System.Collections.Concurrent;
using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Rollups;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Embedded;

/// <summary>
/// The one-command service as a real process on its embedded SQLite store: killed with SIGKILL
/// while writes are in flight, then started again on the same data.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "hazardgrid-crash-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task Every_acknowledged_write_survives_kill_minus_nine_and_retries_do_not_duplicate()
    {
        var town = TestData.TownsOf("370406", 1)[0];
        var enterprise = TestData.NewEnterprise(town, Sector.Chemicals);
        var acked = new ConcurrentDictionary<string, Hazard>();          // request id → acknowledged hazard
        var unacked = new ConcurrentDictionary<string, NewHazard>();     // request id → report in flight at the kill
        var progressed = new ConcurrentDictionary<string, int>();        // hazard name → acknowledged progress
        var inFlight = new ConcurrentDictionary<string, Func<HazardService.HazardServiceClient, Task>>(); // lifecycle writes in flight at the kill

        await using (var first = await SiloProcess.StartAsync(_data))
        {
            var (channel, invoker) = first.Connect("crash-test");
            using var _ = channel;
            var enterprises = new EnterpriseService.EnterpriseServiceClient(invoker);
            var hazards = new HazardService.HazardServiceClient(invoker);
            await enterprises.RegisterEnterpriseAsync(new RegisterEnterpriseRequest { Enterprise = enterprise, RequestId = "register-1" });

            // Two writers report hazards and move them on, as fast as acknowledgements come back.
            using var stop = new CancellationTokenSource();
            var next = 0;
            async Task Writer()
            {
                while (!stop.IsCancellationRequested)
                {
                    var n = Interlocked.Increment(ref next);
                    var requestId = $"report-{n}";
                    var finding = ApiDriver.Finding(ReportChannel.Inspection, Sector.Chemicals, $"HG-{n}", $"装置 {n}", DateTimeOffset.UtcNow.AddDays(-1));
                    unacked[requestId] = finding;
                    try
                    {
                        var reported = await hazards.ReportHazardAsync(new ReportHazardRequest { Parent = enterprise.Name(), Hazard = finding, RequestId = requestId });
                        acked[requestId] = reported.Hazard;
                        unacked.TryRemove(requestId, out var _);

                        var start = new StartRectificationRequest
                        {
                            Name = reported.Hazard.Name,
                            Deadline = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(30)),
                            Plan = "整改",
                            RequestId = $"start-{n}",
                        };
                        inFlight[start.RequestId] = client => client.StartRectificationAsync(start).ResponseAsync;
                        await hazards.StartRectificationAsync(start);
                        inFlight.TryRemove(start.RequestId, out var _);

                        var progress = new RecordProgressRequest { Name = start.Name, ProgressPercent = 40, Note = "进行中", RequestId = $"progress-{n}" };
                        inFlight[progress.RequestId] = client => client.RecordProgressAsync(progress).ResponseAsync;
                        await hazards.RecordProgressAsync(progress);
                        inFlight.TryRemove(progress.RequestId, out var _);
                        progressed[start.Name] = 40;
                    }
                    catch (RpcException) when (stop.IsCancellationRequested)
                    {
                        return;
                    }
                }
            }

            var writers = new[] { Task.Run(Writer), Task.Run(Writer) };
            await Eventually.Until(() => progressed.Count >= 15, "15 hazards reported, started and progressed", TimeSpan.FromSeconds(60));
            first.Kill();
            stop.Cancel();
            await Task.WhenAll(writers.Select(w => w.ContinueWith(_ => { })));
        }

        Assert.True(acked.Count >= 15, $"only {acked.Count} writes were acknowledged before the kill");

        await using var second = await SiloProcess.StartAsync(_data);
        var (channel2, invoker2) = second.Connect("crash-test");
        using var __ = channel2;
        var enterprises2 = new EnterpriseService.EnterpriseServiceClient(invoker2);
        var hazards2 = new HazardService.HazardServiceClient(invoker2);
        var regions2 = new RegionService.RegionServiceClient(invoker2);

        // Every acknowledged report and progress is there.
        Assert.Equal(enterprise.DisplayName, (await enterprises2.GetEnterpriseAsync(new GetEnterpriseRequest { Name = enterprise.Name() })).DisplayName);
        foreach (var hazard in acked.Values)
        {
            var found = await hazards2.GetHazardAsync(new GetHazardRequest { Name = hazard.Name });
            Assert.Equal(hazard.Criterion, found.Criterion);
            if (progressed.TryGetValue(hazard.Name, out var percent))
            {
                Assert.Equal(HazardState.Rectifying, found.State);
                Assert.Equal(percent, found.ProgressPercent);
            }
        }

        // The writes that were in flight are retried with their request ids, as pushing systems do:
        // none is duplicated, and every acknowledged one answers with the same record as before.
        foreach (var (requestId, finding) in unacked)
        {
            await hazards2.ReportHazardAsync(new ReportHazardRequest { Parent = enterprise.Name(), Hazard = finding, RequestId = requestId });
        }

        foreach (var retry in inFlight.Values)
        {
            await retry(hazards2);
        }

        foreach (var (requestId, hazard) in acked.Take(5))
        {
            var again = await hazards2.ReportHazardAsync(new ReportHazardRequest
            {
                Parent = enterprise.Name(),
                Hazard = ApiDriver.Finding(ReportChannel.Inspection, Sector.Chemicals, hazard.Criterion, hazard.Location, hazard.FoundTime.ToDateTimeOffset()),
                RequestId = requestId,
            });
            Assert.Equal(hazard.Name, again.Hazard.Name);
        }

        var all = new List<Hazard>();
        for (var n = 1; ; n++)
        {
            try
            {
                all.Add(await hazards2.GetHazardAsync(new GetHazardRequest { Name = $"{enterprise.Name()}/hazards/{n}" }));
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                break;
            }
        }

        Assert.Equal(acked.Count + unacked.Count, all.Count);
        Assert.Equal(all.Count, all.Select(h => h.Criterion).Distinct().Count());

        // And the town, county, city and province count exactly those hazards.
        // The test's own count: every hazard is a chemicals finding of yesterday (increment), listed
        // at county level, registered or rectifying with a deadline a month away (not overdue).
        var registered = all.Count(h => h.State == HazardState.Registered);
        var rectifying = all.Count(h => h.State == HazardState.Rectifying);
        Assert.Equal(all.Count, registered + rectifying);
        var expected = Figures.Of(registered: registered, rectifying: rectifying, openIncrement: all.Count, sectors: [Figures.In(Sector.Chemicals, open: all.Count)]);
        foreach (var code in new[] { town, "370406", "3704", "37" })
        {
            await Eventually.Until(
                () => regions2.GetRegionStatusAsync(new GetRegionStatusRequest { Name = $"regions/{code}" }).ResponseAsync,
                status => status.Figures.Equals(expected),
                $"regions/{code} to count the {all.Count} hazards",
                TimeSpan.FromSeconds(20));
        }
    }
}
