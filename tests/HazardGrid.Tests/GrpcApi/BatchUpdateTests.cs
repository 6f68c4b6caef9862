using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.GrpcApi;

/// <summary>BatchUpdateHazards: a county system's backlog in one call, each hazard's updates together.</summary>
public sealed class BatchUpdateTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly ApiDriver _api = new(fixture);
    private static readonly string s_town = TestData.TownsOf("370102", 1)[0];

    [Fact]
    public async Task A_batch_moves_each_hazard_through_its_updates_and_a_retry_changes_nothing()
    {
        var (a, b, c) = (await NewHazard("HG-BATCH-A"), await NewHazard("HG-BATCH-B"), await NewHazard("HG-BATCH-C"));
        var batch = new BatchUpdateHazardsRequest();
        batch.Updates.Add(Start(a, "a-start"));
        batch.Updates.Add(new HazardUpdate { WithdrawHazard = new WithdrawHazardRequest { Name = b, Reason = "重复录入", RequestId = "b-withdraw" } });
        batch.Updates.Add(new HazardUpdate { RecordProgress = new RecordProgressRequest { Name = a, ProgressPercent = 60, Note = "过半", RequestId = "a-progress" } });
        batch.Updates.Add(Start(c, "c-start"));
        batch.Updates.Add(new HazardUpdate { SubmitForVerification = new SubmitForVerificationRequest { Name = a, Note = "完成", RequestId = "a-submit" } });
        var close = new CloseHazardRequest { Name = a, RequestId = "a-close" };
        close.Confirmations.AddRange([_api.Confirmation(ConfirmingParty.Regulator), _api.Confirmation(ConfirmingParty.Expert), _api.Confirmation(ConfirmingParty.Principal)]);
        batch.Updates.Add(new HazardUpdate { CloseHazard = close });

        var response = await fixture.Hazards.BatchUpdateHazardsAsync(batch);

        // One answer per update, in request order: the hazard as that update left it.
        Assert.Equal(
            [(a, HazardState.Rectifying), (b, HazardState.Withdrawn), (a, HazardState.Rectifying), (c, HazardState.Rectifying), (a, HazardState.AwaitingVerification), (a, HazardState.Closed)],
            response.Hazards.Select(h => (h.Name, h.State)));
        Assert.Equal(60, response.Hazards[2].ProgressPercent);
        Assert.Equal(5, (await _api.Get(a)).Trail.Count);

        var town = Figures.Of(rectifying: 1, closed: 1, withdrawn: 1, closedThisMonth: 1, openIncrement: 1, closedIncrement: 1,
            sectors: [Figures.In(Sector.Chemicals, open: 1, closed: 1)]);
        await _api.ExpectFigures(s_town, town);
        await _api.ExpectFigures("37", town);

        // The same batch again: the first answers, nothing recorded twice.
        Assert.Equal(response, await fixture.Hazards.BatchUpdateHazardsAsync(batch));
        Assert.Equal(5, (await _api.Get(a)).Trail.Count);
        Assert.Equal(2, (await _api.Get(b)).Trail.Count);
        await _api.ExpectFigures("37", town);
    }

    [Fact]
    public async Task A_refused_update_stops_its_hazard_whole_and_names_its_place_in_the_batch()
    {
        var (d, e) = (await NewHazard("HG-BATCH-D"), await NewHazard("HG-BATCH-E"));
        var batch = new BatchUpdateHazardsRequest();
        batch.Updates.Add(Start(d, "d-start"));
        batch.Updates.Add(Start(e, "e-start"));
        batch.Updates.Add(new HazardUpdate { CloseHazard = new CloseHazardRequest { Name = d, RequestId = "d-close" } }); // not submitted, nobody confirmed

        var (code, field, _) = await ApiDriver.Refusal(() => fixture.Hazards.BatchUpdateHazardsAsync(batch).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, code);
        Assert.StartsWith("updates[2].close_hazard.", field);

        // d's start went with its refused close; e's updates are independent and stand.
        var hazardD = await _api.Get(d);
        Assert.Equal((HazardState.Registered, 1), (hazardD.State, hazardD.Trail.Count));
        Assert.Equal(HazardState.Rectifying, (await _api.Get(e)).State);

        // Malformed input is refused before anything is applied.
        var malformed = new BatchUpdateHazardsRequest();
        malformed.Updates.Add(Start(d, "d-start-2"));
        malformed.Updates.Add(new HazardUpdate { RecordProgress = new RecordProgressRequest { Name = "enterprises/x/hazards/one", ProgressPercent = 10, Note = "n", RequestId = "bad" } });
        (code, field, _) = await ApiDriver.Refusal(() => fixture.Hazards.BatchUpdateHazardsAsync(malformed).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "updates[1].record_progress.name"), (code, field));
        (code, field, _) = await ApiDriver.Refusal(() => fixture.Hazards.BatchUpdateHazardsAsync(new BatchUpdateHazardsRequest()).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "updates"), (code, field));
        Assert.Equal(HazardState.Registered, (await _api.Get(d)).State);
    }

    private HazardUpdate Start(string name, string requestId) => new()
    {
        StartRectification = new StartRectificationRequest
        {
            Name = name, Deadline = Timestamp.FromDateTimeOffset(fixture.Now.AddDays(30)), Plan = "整改方案", RequestId = requestId,
        },
    };

    private async Task<string> NewHazard(string criterion)
    {
        var enterprise = await _api.Register(TestData.NewEnterprise(s_town, Sector.Chemicals));
        var report = await _api.Report(enterprise.CreditCode, ApiDriver.Finding(ReportChannel.Inspection, Sector.Chemicals, criterion, "装置区", ClusterFixture.Start));
        return report.Hazard.Name;
    }
}
