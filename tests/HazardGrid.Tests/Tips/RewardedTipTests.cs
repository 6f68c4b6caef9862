using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Common;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Tips;

/// <summary>
/// Rewarded tips (有奖举报) over the real gateway and cluster: a tip's whole life (received,
/// verified as a major hazard through the enterprise, reward decided and paid), who sees the
/// tipster (the handling county only), and the tip figures of the town and every region above it.
/// The cluster is the class's own: the tests assert whole regions and move the clock.
/// </summary>
public sealed class RewardedTipTests(TipCluster cluster) : IClassFixture<TipCluster>
{
    private const string City = "3704";
    private const string County = "370406";
    private const string TipsterName = "匿名者甲乙丙";
    private const string TipsterPhone = "13912345678";

    private static readonly string Town = TestData.TownsOf(County, 1)[0];
    private static readonly string OtherTown = TestData.TownsOf(County, 2)[1];
    private static readonly string OtherCounty = TestData.Regions.ChildrenOf(City).First(c => c != County);

    private TipService.TipServiceClient CountySystem => cluster.Tips("system", County);

    [Fact]
    public async Task A_named_tips_whole_life_shows_the_tipster_to_the_handling_office_only_and_nowhere_else()
    {
        var enterprise = TestData.NewEnterprise(Town, Api.V1.Sector.Chemicals);
        await new EnterpriseService.EnterpriseServiceClient(cluster.As("system", County))
            .RegisterEnterpriseAsync(new RegisterEnterpriseRequest { Enterprise = enterprise, RequestId = TestData.NewRequestId() });
        var before = cluster.Logs.Lines.Count;
        var regionsAbove = new[] { Town, County, City, "37" };
        var start = new Dictionary<string, HazardFigures>();
        foreach (var region in regionsAbove)
        {
            start[region] = await Counted(region);
        }

        // Received (on 10 June, the 15 working days after it end on 1 July), numbered in its county.
        var report = new ReportTipRequest
        {
            Tip = new NewTip
            {
                Channel = TipChannel.Hotline,
                Enterprise = enterprise.CreditCode,
                Content = "作业人员未持证上岗，储罐区动火作业无审批",
                ReceiveTime = Timestamp.FromDateTimeOffset(ClusterFixture.Start),
                Tipster = new Tipster { Name = TipsterName, Phone = TipsterPhone },
            },
            RequestId = TestData.NewRequestId(),
        };
        var received = await CountySystem.ReportTipAsync(report);
        Assert.StartsWith($"tips/{County}/", received.Name);
        Assert.Equal((TipState.Received, Town, enterprise.CreditCode, false), (received.State, received.Town, received.Enterprise, received.Anonymous));
        Assert.Equal(new DateTimeOffset(2025, 7, 1, 9, 0, 0, ChinaTime.Offset), received.VerificationDueTime.ToDateTimeOffset());
        Assert.Equal(TipsterName, received.Tipster.Name); // the county's own system is the handling office

        // A retry is the first answer; the same id with other content is refused.
        Assert.Equal(received, await CountySystem.ReportTipAsync(report));
        var reused = report.Clone();
        reused.Tip.Content = "另一件事";
        Assert.Equal((StatusCode.InvalidArgument, "request_id"), Short(await ApiDriver.Refusal(() => CountySystem.ReportTipAsync(reused).ResponseAsync)));

        // The handling office sees the tipster; the province, the city and another county's view do not.
        Assert.Equal(TipsterPhone, (await cluster.Tips("supervisor", County).GetTipAsync(new GetTipRequest { Name = received.Name })).Tipster.Phone);
        foreach (var (role, region) in new[] { ("supervisor", "37"), ("system", "37"), ("supervisor", City), ("system", City), ("supervisor", Town) })
        {
            var seen = await cluster.Tips(role, region).GetTipAsync(new GetTipRequest { Name = received.Name });
            Assert.Null(seen.Tipster);
            Assert.Equal(received.Content, seen.Content);
        }

        Assert.Equal(StatusCode.PermissionDenied, (await ApiDriver.Refusal(() => cluster.Tips("supervisor", OtherCounty).GetTipAsync(new GetTipRequest { Name = received.Name }).ResponseAsync)).Code);

        // A sector office of the handling county itself reads no tips (a tip names no sector and may
        // concern any): neither the tip, with or without its tipster, nor the list.
        var office = new TipService.TipServiceClient(cluster.Channel.WithToken(TestTokens.Mint("supervisor", County, "county-transport", office: "transport")));
        Assert.Equal((StatusCode.PermissionDenied, "credential.office"), Short(await ApiDriver.Refusal(() => office.GetTipAsync(new GetTipRequest { Name = received.Name }).ResponseAsync)));
        Assert.Equal((StatusCode.PermissionDenied, "credential.office"), Short(await ApiDriver.Refusal(() => office.ListTipsAsync(new ListTipsRequest { Parent = $"regions/{County}" }).ResponseAsync)));

        // Only a received tip is verified; a reward needs a verified one.
        Assert.Equal((StatusCode.FailedPrecondition, "status"), Short(await ApiDriver.Refusal(() => CountySystem.DecideTipRewardAsync(
            new DecideTipRewardRequest { Name = received.Name, AmountFen = 100, RequestId = TestData.NewRequestId() }).ResponseAsync)));

        // Verified as a major hazard: registered at the enterprise with channel VerifiedTip, linked both ways.
        var verify = new VerifyTipRequest
        {
            Name = received.Name,
            AsHazard = new TipHazard { Sector = Api.V1.Sector.Chemicals, Criterion = "化工-4", Location = "储罐区", Description = "动火作业未审批，不符合判定标准", Note = "现场核查属实" },
            RequestId = TestData.NewRequestId(),
        };
        var verified = await CountySystem.VerifyTipAsync(verify);
        Assert.Equal((TipState.Verified, Api.V1.TipFinding.MajorHazard), (verified.State, verified.Finding));
        Assert.Equal(verified, await CountySystem.VerifyTipAsync(verify));
        var hazard = await new HazardService.HazardServiceClient(cluster.As("system", County)).GetHazardAsync(new GetHazardRequest { Name = verified.Hazard });
        Assert.Equal((ReportChannel.VerifiedTip, received.Name, HazardState.Registered, SupervisionLevel.County), (hazard.Channels.Single(), hazard.Tip, hazard.State, hazard.SupervisionLevel));

        // The reward: ¥186,600 (004's first example), decided and paid (兑现).
        var decided = await CountySystem.DecideTipRewardAsync(new DecideTipRewardRequest { Name = received.Name, AmountFen = 18_660_000, Note = "重大隐患举报奖励", RequestId = TestData.NewRequestId() });
        Assert.Equal((TipState.RewardDecided, 18_660_000L), (decided.State, decided.RewardFen));
        var town = start[Town];
        await Figures(Town, town.TipsReceived + 1, town.TipsVerified + 1, town.TipRewardsPaidFen, town.TipVerificationsOverdue);
        var paid = await CountySystem.RecordTipRewardPaymentAsync(new RecordTipRewardPaymentRequest { Name = received.Name, PaymentReference = "JL-2025-0001", RequestId = TestData.NewRequestId() });
        Assert.Equal(TipState.RewardPaid, paid.State);
        Assert.Equal(cluster.Now, paid.PayTime.ToDateTimeOffset());

        // Counted in the town and every region above it, with the hazard it became.
        foreach (var region in regionsAbove)
        {
            var f = start[region];
            await Figures(region, f.TipsReceived + 1, f.TipsVerified + 1, f.TipRewardsPaidFen + 18_660_000, f.TipVerificationsOverdue, f.Registered + 1);
        }

        // Nowhere but GetTip for the handling office: not in any list, figure, export or feed, nor any log line.
        var seenElsewhere = new List<(string Where, string Text)>();
        foreach (var (role, region) in new[] { ("system", County), ("supervisor", County), ("supervisor", "37") })
        {
            var list = await cluster.Tips(role, region).ListTipsAsync(new ListTipsRequest { Parent = $"regions/{region}" });
            Assert.Equal(received.Name, list.Tips.Single(t => t.Name == received.Name).Name);
            seenElsewhere.Add(($"ListTips of {region} as {role}", JsonFormatter.Default.Format(list)));
        }

        var regions = new RegionService.RegionServiceClient(cluster.As("supervisor", County));
        var status = await regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = $"regions/{County}" });
        seenElsewhere.Add(("the county's status", JsonFormatter.Default.Format(status)));
        seenElsewhere.Add(("the hazard", JsonFormatter.Default.Format(hazard)));
        var csv = await regions.ExportMonthlyCircularAsync(new ExportMonthlyCircularRequest { Name = $"regions/{County}", Month = "2025-06", Format = "csv" });
        seenElsewhere.Add(("the monthly circular export", csv.Data.ToStringUtf8()));
        using (var http = new HttpClient { BaseAddress = cluster.JsonAddress })
        {
            var feed = await Eventually.Until(
                () => http.GetStringAsync($"/public/v1/regions/{Town}/hazards.json"),
                text => text.Contains(hazard.Name.Split('/')[1], StringComparison.Ordinal),
                "the public feed to list the hazard the tip became");
            seenElsewhere.Add(("the public disclosure feed", feed));
        }

        var lines = cluster.Logs.Lines.Skip(before).ToList();
        Assert.Contains(lines, l => l.Contains("TipService/ReportTip", StringComparison.Ordinal)); // the gateway's lines are captured
        Assert.Contains(lines, l => l.Contains("Orleans", StringComparison.Ordinal));              // and the silo's
        seenElsewhere.AddRange(lines.Select(l => ("a log line", l)));
        foreach (var secret in new[] { TipsterName, TipsterPhone })
        {
            var leak = seenElsewhere.FirstOrDefault(s => s.Text.Contains(secret, StringComparison.Ordinal));
            Assert.True(leak == default, $"the tipster appears in {leak.Where}: {leak.Text?[..Math.Min(leak.Text.Length, 3000)]}");
        }
    }

    [Fact]
    public async Task An_anonymous_address_tip_falls_overdue_by_the_working_day_calendar_and_is_dismissed_with_a_reason()
    {
        var start = await Counted(OtherTown);
        var received = await CountySystem.ReportTipAsync(new ReportTipRequest
        {
            Tip = new NewTip
            {
                Channel = TipChannel.Letter, Town = OtherTown, Address = "某村东首无名加工点", Content = "夜间违规储存烟花爆竹",
                ReceiveTime = Timestamp.FromDateTimeOffset(cluster.Now.AddDays(-1)),
            },
            RequestId = TestData.NewRequestId(),
        });
        Assert.Equal((true, (Tipster?)null, string.Empty), (received.Anonymous, received.Tipster, received.Enterprise));
        await Figures(OtherTown, received: start.TipsReceived + 1, verified: start.TipsVerified, paidFen: start.TipRewardsPaidFen, overdue: start.TipVerificationsOverdue);

        // An address tip has no enterprise to register a hazard at unless the verification names one.
        Assert.Equal((StatusCode.InvalidArgument, "as_hazard.enterprise"), Short(await ApiDriver.Refusal(() => CountySystem.VerifyTipAsync(new VerifyTipRequest
        {
            Name = received.Name,
            AsHazard = new TipHazard { Sector = Api.V1.Sector.Fireworks, Criterion = "烟花-1", Location = "仓库", Description = "违规储存" },
            RequestId = TestData.NewRequestId(),
        }).ResponseAsync)));

        // Nor at an enterprise of another county: that hazard is another office's.
        var elsewhere = TestData.NewEnterprise(TestData.TownsOf(OtherCounty, 1)[0], Api.V1.Sector.Fireworks);
        await new EnterpriseService.EnterpriseServiceClient(cluster.As("system", "37"))
            .RegisterEnterpriseAsync(new RegisterEnterpriseRequest { Enterprise = elsewhere, RequestId = TestData.NewRequestId() });
        Assert.Equal((StatusCode.FailedPrecondition, "as_hazard.enterprise"), Short(await ApiDriver.Refusal(() => cluster.Tips("system", "37").VerifyTipAsync(new VerifyTipRequest
        {
            Name = received.Name,
            AsHazard = new TipHazard { Enterprise = elsewhere.CreditCode, Sector = Api.V1.Sector.Fireworks, Criterion = "烟花-1", Location = "仓库", Description = "违规储存" },
            RequestId = TestData.NewRequestId(),
        }).ResponseAsync)));

        // Past its due time (working days of the official calendar) it is an overdue verification.
        cluster.Time.Advance(received.VerificationDueTime.ToDateTimeOffset() - cluster.Now + TimeSpan.FromMinutes(1));
        await Figures(OtherTown, received: start.TipsReceived + 1, verified: start.TipsVerified, paidFen: start.TipRewardsPaidFen, overdue: start.TipVerificationsOverdue + 1);
        Assert.True((await CountySystem.GetTipAsync(new GetTipRequest { Name = received.Name })).VerificationOverdue);

        var dismissed = await CountySystem.DismissTipAsync(new DismissTipRequest { Name = received.Name, Reason = "经现场核查，举报事项不属实", RequestId = TestData.NewRequestId() });
        Assert.Equal((TipState.Dismissed, "经现场核查，举报事项不属实"), (dismissed.State, dismissed.Note));
        await Figures(OtherTown, received: start.TipsReceived + 1, verified: start.TipsVerified, paidFen: start.TipRewardsPaidFen, overdue: start.TipVerificationsOverdue);
        Assert.Equal((StatusCode.FailedPrecondition, "status"), Short(await ApiDriver.Refusal(() => CountySystem.VerifyTipAsync(new VerifyTipRequest
        {
            Name = received.Name, AsViolation = new TipViolation { Note = "违规储存" }, RequestId = TestData.NewRequestId(),
        }).ResponseAsync)));
    }

    [Fact]
    public async Task Bad_tips_and_callers_are_refused_naming_the_field_and_change_nothing()
    {
        var start = await Counted(County);
        var good = new NewTip { Channel = TipChannel.Website, Town = Town, Address = "工业园 3 号", Content = "粉尘涉爆车间未除尘" };
        async Task<(StatusCode, string)> Report(NewTip tip, TipService.TipServiceClient? client = null) =>
            Short(await ApiDriver.Refusal(() => (client ?? CountySystem).ReportTipAsync(new ReportTipRequest { Tip = tip, RequestId = TestData.NewRequestId() }).ResponseAsync));

        Assert.Equal((StatusCode.InvalidArgument, "tip.channel"), await Report(Modified(good, t => t.Channel = TipChannel.Unspecified)));
        Assert.Equal((StatusCode.InvalidArgument, "tip.channel"), await Report(Modified(good, t => t.Channel = (TipChannel)99)));
        Assert.Equal((StatusCode.InvalidArgument, "tip.content"), await Report(Modified(good, t => t.Content = " ")));
        Assert.Equal((StatusCode.InvalidArgument, "tip.address"), await Report(Modified(good, t => t.Address = "")));
        Assert.Equal((StatusCode.InvalidArgument, "tip.town"), await Report(Modified(good, t => t.Town = County)));
        Assert.Equal((StatusCode.InvalidArgument, "tip.enterprise"), await Report(Modified(good, t => t.Enterprise = "91370406MA3C00000X")));
        Assert.Equal((StatusCode.InvalidArgument, "tip.receive_time"), await Report(Modified(good, t => t.ReceiveTime = Timestamp.FromDateTimeOffset(cluster.Now.AddDays(2)))));
        Assert.Equal((StatusCode.InvalidArgument, "tip.tipster.name"), await Report(Modified(good, t => t.Tipster = new Tipster { Phone = "1" })));
        Assert.Equal((StatusCode.InvalidArgument, "tip.tipster.name"), await Report(Modified(good, t => t.Tipster = new Tipster { Name = new string('名', 65) })));
        Assert.Equal((StatusCode.PermissionDenied, "tip.town"), await Report(good, cluster.Tips("system", OtherCounty)));
        Assert.Equal((StatusCode.PermissionDenied, "credential.role"), await Report(good, cluster.Tips("supervisor", County)));

        var tip = await CountySystem.ReportTipAsync(new ReportTipRequest { Tip = good, RequestId = TestData.NewRequestId() });
        Assert.Equal((StatusCode.InvalidArgument, "amount_fen"), Short(await ApiDriver.Refusal(() => CountySystem.DecideTipRewardAsync(
            new DecideTipRewardRequest { Name = tip.Name, AmountFen = 0, RequestId = TestData.NewRequestId() }).ResponseAsync)));
        Assert.Equal((StatusCode.InvalidArgument, "as_hazard"), Short(await ApiDriver.Refusal(() => CountySystem.VerifyTipAsync(
            new VerifyTipRequest { Name = tip.Name, RequestId = TestData.NewRequestId() }).ResponseAsync)));
        Assert.Equal((StatusCode.InvalidArgument, "reason"), Short(await ApiDriver.Refusal(() => CountySystem.DismissTipAsync(
            new DismissTipRequest { Name = tip.Name, Reason = "", RequestId = TestData.NewRequestId() }).ResponseAsync)));
        Assert.Equal((StatusCode.InvalidArgument, "name"), Short(await ApiDriver.Refusal(() => CountySystem.GetTipAsync(new GetTipRequest { Name = "tips/370406" }).ResponseAsync)));
        Assert.Equal((StatusCode.NotFound, "name"), Short(await ApiDriver.Refusal(() => CountySystem.GetTipAsync(new GetTipRequest { Name = $"tips/{County}/99999" }).ResponseAsync)));
        Assert.Equal((StatusCode.PermissionDenied, "name"), Short(await ApiDriver.Refusal(() => cluster.Tips("system", OtherCounty).DismissTipAsync(
            new DismissTipRequest { Name = tip.Name, Reason = "不属实", RequestId = TestData.NewRequestId() }).ResponseAsync)));
        Assert.Equal((StatusCode.PermissionDenied, "credential.role"), Short(await ApiDriver.Refusal(() => cluster.Tips("supervisor", County).DismissTipAsync(
            new DismissTipRequest { Name = tip.Name, Reason = "不属实", RequestId = TestData.NewRequestId() }).ResponseAsync)));

        // Only the one good tip was recorded, still as received; HTTP/JSON reads it at its route too.
        Assert.Equal(TipState.Received, (await CountySystem.GetTipAsync(new GetTipRequest { Name = tip.Name })).State);
        using var json = new JsonApi.JsonApiClient(cluster.JsonAddress, TestTokens.Mint("supervisor", City, "city-supervisor"));
        var read = await json.Get($"/v1/{tip.Name}");
        Assert.Equal((System.Net.HttpStatusCode.OK, tip.Name, TipState.Received), (read.Status, read.As<Tip>().Name, read.As<Tip>().State));
        var listed = await json.Get($"/v1/regions/{County}/tips?pageSize=500");
        Assert.Contains(listed.As<ListTipsResponse>().Tips, t => t.Name == tip.Name);
        await Figures(County, received: start.TipsReceived + 1, verified: start.TipsVerified, paidFen: start.TipRewardsPaidFen, overdue: start.TipVerificationsOverdue,
            registered: start.Registered);
    }

    private static (StatusCode, string) Short((StatusCode Code, string Field, string Message) refusal) => (refusal.Code, refusal.Field);

    private static NewTip Modified(NewTip tip, Action<NewTip> change)
    {
        var copy = tip.Clone();
        change(copy);
        return copy;
    }

    private async Task<HazardFigures> Counted(string region) =>
        (await new RegionService.RegionServiceClient(cluster.As("supervisor", "37")).GetRegionStatusAsync(new GetRegionStatusRequest { Name = $"regions/{region}" })).Figures;

    private Task Figures(string region, int received, int verified, long paidFen, int overdue = 0, int? registered = null) =>
        Eventually.Holds(
            async () =>
            {
                var f = await Counted(region);
                Assert.Equal((received, verified, paidFen, overdue), (f.TipsReceived, f.TipsVerified, f.TipRewardsPaidFen, f.TipVerificationsOverdue));
                if (registered is { } r)
                {
                    Assert.Equal(r, f.Registered);
                }
            },
            $"region {region} to count the tips");
}
