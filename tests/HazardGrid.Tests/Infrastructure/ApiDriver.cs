using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HazardGrid.Api.V1;
using Xunit;

namespace HazardGrid.Tests.Infrastructure;

/// <summary>Short calls over the fixture's real gRPC channel, each with a fresh request id unless given one.</summary>
public sealed class ApiDriver(ClusterFixture fixture)
{
    public ClusterFixture Fixture => fixture;

    public async Task<Api.V1.Enterprise> Register(Api.V1.Enterprise enterprise, string? requestId = null) =>
        await fixture.Enterprises.RegisterEnterpriseAsync(new RegisterEnterpriseRequest { Enterprise = enterprise, RequestId = requestId ?? TestData.NewRequestId() });

    public static NewHazard Finding(ReportChannel channel, Api.V1.Sector sector, string criterion, string location, DateTimeOffset foundAt) => new()
    {
        Channel = channel,
        Sector = sector,
        Criterion = criterion,
        Location = location,
        Description = $"{criterion} 不符合判定标准 ({location})",
        FoundTime = Timestamp.FromDateTimeOffset(foundAt),
    };

    public async Task<ReportHazardResponse> Report(string creditCode, NewHazard hazard, string? requestId = null) =>
        await fixture.Hazards.ReportHazardAsync(new ReportHazardRequest
        {
            Parent = $"enterprises/{creditCode}",
            Hazard = hazard,
            RequestId = requestId ?? TestData.NewRequestId(),
        });

    public async Task<Hazard> Start(string name, DateTimeOffset deadline, string? requestId = null) =>
        await fixture.Hazards.StartRectificationAsync(new StartRectificationRequest
        {
            Name = name,
            Deadline = Timestamp.FromDateTimeOffset(deadline),
            Plan = "停产整改，更换设备",
            RequestId = requestId ?? TestData.NewRequestId(),
        });

    public async Task<Hazard> Progress(string name, int percent, string? requestId = null) =>
        await fixture.Hazards.RecordProgressAsync(new RecordProgressRequest
        {
            Name = name,
            ProgressPercent = percent,
            Note = $"完成 {percent}%",
            RequestId = requestId ?? TestData.NewRequestId(),
        });

    public async Task<Hazard> Submit(string name, string? requestId = null) =>
        await fixture.Hazards.SubmitForVerificationAsync(new SubmitForVerificationRequest { Name = name, Note = "整改完成", RequestId = requestId ?? TestData.NewRequestId() });

    public async Task<Hazard> Return(string name, string? requestId = null) =>
        await fixture.Hazards.ReturnForRectificationAsync(new ReturnForRectificationRequest { Name = name, Reason = "现场核查未通过", RequestId = requestId ?? TestData.NewRequestId() });

    public PartyConfirmation Confirmation(ConfirmingParty party) => new()
    {
        Party = party,
        Name = party switch { ConfirmingParty.Regulator => "赵监管", ConfirmingParty.Expert => "钱专家", _ => "张主任" },
        ConfirmTime = Timestamp.FromDateTimeOffset(fixture.Now),
    };

    public async Task<Hazard> Confirm(string name, ConfirmingParty party, string? requestId = null) =>
        await fixture.Hazards.ConfirmRectificationAsync(new ConfirmRectificationRequest
        {
            Name = name,
            Confirmation = Confirmation(party),
            RequestId = requestId ?? TestData.NewRequestId(),
        });

    public async Task<Hazard> Close(string name, IEnumerable<ConfirmingParty> parties, string? requestId = null)
    {
        var request = new CloseHazardRequest { Name = name, RequestId = requestId ?? TestData.NewRequestId() };
        request.Confirmations.AddRange(parties.Select(Confirmation));
        return await fixture.Hazards.CloseHazardAsync(request);
    }

    public async Task<Hazard> Withdraw(string name, bool invalid, string? requestId = null) =>
        await fixture.Hazards.WithdrawHazardAsync(new WithdrawHazardRequest
        {
            Name = name,
            Invalid = invalid,
            Reason = invalid ? "经复核不构成重大事故隐患" : "重复录入",
            RequestId = requestId ?? TestData.NewRequestId(),
        });

    public async Task<Hazard> Get(string name) => await fixture.Hazards.GetHazardAsync(new GetHazardRequest { Name = name });

    public async Task<Api.V1.RegionStatus> Region(string code) => await fixture.Regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = $"regions/{code}" });

    /// <summary>
    /// Waits until the region shows exactly <paramref name="expected"/> (figures travel up the tree
    /// in batches, so upper regions lag a write by a few flush delays), then asserts it.
    /// </summary>
    public async Task ExpectFigures(string regionCode, HazardFigures expected, TimeSpan? within = null) =>
        await Eventually.Holds(
            async () => Assert.Equal(expected, (await Region(regionCode)).Figures),
            $"region {regionCode} to show the expected figures",
            within);

    /// <summary>Runs a call that must fail, returning the status and the field its detail names.</summary>
    public static async Task<(StatusCode Code, string Field, string Message)> Refusal(Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        var status = ex.GetRpcStatus();
        var field =
            status?.GetDetail<Google.Rpc.BadRequest>()?.FieldViolations.FirstOrDefault()?.Field
            ?? status?.GetDetail<Google.Rpc.PreconditionFailure>()?.Violations.FirstOrDefault()?.Subject
            ?? status?.GetDetail<Google.Rpc.ResourceInfo>()?.ResourceName
            ?? status?.GetDetail<Google.Rpc.ErrorInfo>()?.Metadata.GetValueOrDefault("field")
            ?? string.Empty;
        return (ex.StatusCode, field, ex.Status.Detail);
    }
}

/// <summary>Builds expected figures with named counts; everything not named is zero.</summary>
public static class Figures
{
    /// <remarks>Open hazards are supervised at county level unless <paramref name="atCity"/> or
    /// <paramref name="atProvince"/> say otherwise.</remarks>
    public static HazardFigures Of(
        int registered = 0, int rectifying = 0, int awaiting = 0, int closed = 0, int withdrawn = 0, int invalid = 0,
        int overdue = 0, int closedThisMonth = 0, int openStock = 0, int openIncrement = 0, int closedStock = 0,
        int closedIncrement = 0, SectorFigures[]? sectors = null,
        int atCity = 0, int atProvince = 0, int letters = 0, int circulars = 0, int summons = 0, int exposures = 0,
        int investigations = 0, int exposed = 0, int underInvestigation = 0, int watchList = 0, int warnings = 0)
    {
        sectors ??= [];
        var f = new HazardFigures
        {
            Open = registered + rectifying + awaiting,
            Registered = registered,
            Rectifying = rectifying,
            AwaitingVerification = awaiting,
            Closed = closed,
            Withdrawn = withdrawn,
            Invalid = invalid,
            Overdue = overdue,
            ClosedThisMonth = closedThisMonth,
            OpenStock = openStock,
            OpenIncrement = openIncrement,
            ClosedStock = closedStock,
            ClosedIncrement = closedIncrement,
            AtCountyLevel = registered + rectifying + awaiting - atCity - atProvince,
            AtCityLevel = atCity,
            AtProvinceLevel = atProvince,
            WarningLettersThisMonth = letters,
            CircularsThisMonth = circulars,
            SummonsThisMonth = summons,
            ExposuresThisMonth = exposures,
            InvestigationsThisMonth = investigations,
            Exposed = exposed,
            UnderInvestigation = underInvestigation,
            WatchListEnterprises = watchList,
            DeadlineWarningsThisMonth = warnings,
        };
        f.BySector.AddRange(sectors.OrderBy(s => s.Sector));
        return f;
    }

    public static SectorFigures In(Api.V1.Sector sector, int open = 0, int overdue = 0, int closed = 0) =>
        new() { Sector = sector, Open = open, Overdue = overdue, Closed = closed };
}
