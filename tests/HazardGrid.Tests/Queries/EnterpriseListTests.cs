using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Queries;

/// <summary>
/// ListEnterprises over enterprises the test registered in one county: the towns' directories,
/// the filters judged on the town's ledger (open hazards, watch list), credit-code paging, and an
/// enterprise that moves.
/// </summary>
public sealed class EnterpriseListTests(EnterpriseListTests.Setup setup) : IClassFixture<EnterpriseListTests.Setup>
{
    private const string County = "370104";
    private static readonly string[] s_towns = [.. TestData.TownsOf(County, 3)];

    // The moving enterprise lives in a county of its own, so the other tests' counts stay the test's.
    private const string MovesCounty = "370105";
    private static readonly string[] s_movesTowns = [.. TestData.TownsOf(MovesCounty, 3)];
    private ClusterFixture Fixture => setup.Fixture;

    /// <summary>12 enterprises in 3 towns: one with an open hazard, one whose hazard was withdrawn, one
    /// with four overdue hazards (on the watch list), the rest without hazards.</summary>
    public sealed class Setup : IAsyncLifetime
    {
        public ClusterFixture Fixture { get; } = new();

        public List<Api.V1.Enterprise> Registered { get; } = [];

        public string WithOpen { get; private set; } = "";

        public string Withdrawn { get; private set; } = "";

        public string Watched { get; private set; } = "";

        public async Task InitializeAsync()
        {
            await Fixture.InitializeAsync();
            var api = new ApiDriver(Fixture);
            Sector[][] sectors = [[Sector.Chemicals], [Sector.Gas, Sector.Fireworks], [Sector.Construction]];
            var batch = new BatchRegisterEnterprisesRequest();
            batch.Requests.AddRange(Enumerable.Range(0, 12).Select(i => new RegisterEnterpriseRequest
            {
                Enterprise = TestData.NewEnterprise(s_towns[i % 3], sectors[i % 3]),
                RequestId = TestData.NewRequestId(),
            }));
            Registered.AddRange((await Fixture.Enterprises.BatchRegisterEnterprisesAsync(batch)).Enterprises);

            WithOpen = Registered[0].CreditCode;
            await api.Report(WithOpen, ApiDriver.Finding(ReportChannel.Inspection, Sector.Chemicals, "第1条", "罐区", Fixture.Now.AddDays(-1)));
            Withdrawn = Registered[1].CreditCode;
            var gone = await api.Report(Withdrawn, ApiDriver.Finding(ReportChannel.Inspection, Sector.Gas, "第2条", "储气站", Fixture.Now.AddDays(-1)));
            await api.Withdraw(gone.Hazard.Name, invalid: false);
            Watched = Registered[3].CreditCode;
            for (var i = 0; i < 4; i++)
            {
                var h = await api.Report(Watched, ApiDriver.Finding(ReportChannel.Inspection, Sector.Chemicals, $"第{i + 3}条", $"{i}号釜", Fixture.Now.AddDays(-1)));
                await api.Start(h.Hazard.Name, Fixture.Now.AddDays(1));
            }

            // Past the deadlines: four overdue hazards put the enterprise on its town's watch list.
            Fixture.Advance(TimeSpan.FromDays(2));
            await Eventually.Until(async () => (await Fixture.Regions.ListWatchListAsync(new ListWatchListRequest { Parent = $"regions/{County}" })).Entries.Count,
                count => count == 1, "the overdue enterprise on the watch list");
        }

        public Task DisposeAsync() => Fixture.DisposeAsync();
    }

    private IEnumerable<string> Codes(Func<Api.V1.Enterprise, bool> where) =>
        setup.Registered.Where(where).Select(e => e.CreditCode).Order(StringComparer.Ordinal);

    [Fact]
    public async Task A_region_lists_the_enterprises_registered_under_it_in_credit_code_order_page_by_page()
    {
        var county = await Lists.AllEnterprises(Fixture, new ListEnterprisesRequest { Parent = $"regions/{County}", PageSize = 5 });
        Assert.Equal(Codes(_ => true), county.Select(e => e.CreditCode));

        var town = await Lists.AllEnterprises(Fixture, new ListEnterprisesRequest { Parent = $"regions/{s_towns[1]}", PageSize = 2 });
        Assert.Equal(Codes(e => e.Town == s_towns[1]), town.Select(e => e.CreditCode));
        var first = setup.Registered[1];
        var shown = town.Single(e => e.CreditCode == first.CreditCode);
        Assert.Equal((first.Name, first.DisplayName, s_towns[1], 0, false), (shown.Name, shown.DisplayName, shown.Town, shown.OpenHazards, shown.OnWatchList));
        Assert.Equal([Sector.Gas, Sector.Fireworks], shown.Sectors);

        // The province asks every town: this cluster holds only the test's enterprises.
        var province = await Lists.AllEnterprises(Fixture, new ListEnterprisesRequest { Parent = "regions/37", PageSize = 500 });
        Assert.Equal(Codes(_ => true), province.Where(e => !e.Town.StartsWith(MovesCounty, StringComparison.Ordinal)).Select(e => e.CreditCode));
        Assert.Equal(province.Select(e => e.CreditCode).Order(StringComparer.Ordinal), province.Select(e => e.CreditCode));
    }

    [Fact]
    public async Task Filters_follow_the_towns_ledgers()
    {
        async Task<IEnumerable<string>> Listed(Action<ListEnterprisesRequest> filter)
        {
            var request = new ListEnterprisesRequest { Parent = $"regions/{County}", PageSize = 3 };
            filter(request);
            return (await Lists.AllEnterprises(Fixture, request)).Select(e => e.CreditCode);
        }

        Assert.Equal(Codes(e => e.CreditCode == setup.WithOpen || e.CreditCode == setup.Watched), await Listed(r => r.HasOpenHazards = true));
        Assert.Equal(Codes(e => e.CreditCode != setup.WithOpen && e.CreditCode != setup.Watched), await Listed(r => r.HasOpenHazards = false));
        Assert.Equal([setup.Watched], await Listed(r => r.OnWatchList = true));
        Assert.Equal(Codes(e => e.CreditCode != setup.Watched), await Listed(r => r.OnWatchList = false));
        Assert.Equal(Codes(e => e.Sectors.Contains(Sector.Fireworks) || e.Sectors.Contains(Sector.Construction)), await Listed(r => r.Sectors.AddRange([Sector.Fireworks, Sector.Construction])));
        Assert.Equal(Codes(e => e.Sectors.Contains(Sector.Chemicals) && e.CreditCode != setup.Watched && e.CreditCode != setup.WithOpen),
            await Listed(r => { r.Sectors.Add(Sector.Chemicals); r.HasOpenHazards = false; }));

        var watched = (await Lists.AllEnterprises(Fixture, new ListEnterprisesRequest { Parent = $"regions/{County}", OnWatchList = true })).Single();
        Assert.Equal((4, true), (watched.OpenHazards, watched.OnWatchList));
    }

    [Fact]
    public async Task Page_size_and_page_token_are_checked()
    {
        var refused = await ApiDriver.Refusal(() => Fixture.Enterprises.ListEnterprisesAsync(new ListEnterprisesRequest { Parent = $"regions/{County}", PageSize = -3 }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "page_size"), (refused.Code, refused.Field));
        var first = new ListEnterprisesRequest { Parent = $"regions/{County}", PageSize = 2, HasOpenHazards = false };
        var token = (await Fixture.Enterprises.ListEnterprisesAsync(first)).NextPageToken;
        foreach (var change in new Action<ListEnterprisesRequest>[] { r => r.Parent = $"regions/{s_towns[0]}", r => r.ClearHasOpenHazards(), r => r.Sectors.Add(Sector.Gas), r => r.PageToken = "garbage" })
        {
            var next = first.Clone();
            next.PageToken = token;
            change(next);
            refused = await ApiDriver.Refusal(() => Fixture.Enterprises.ListEnterprisesAsync(next).ResponseAsync);
            Assert.Equal((StatusCode.InvalidArgument, "page_token"), (refused.Code, refused.Field));
        }

        refused = await ApiDriver.Refusal(() => Fixture.Enterprises.ListEnterprisesAsync(new ListEnterprisesRequest { Parent = "regions/371234" }).ResponseAsync);
        Assert.Equal((StatusCode.NotFound, "parent"), (refused.Code, refused.Field));
    }

    [Fact]
    public async Task An_enterprise_that_moves_shows_under_its_new_town_only()
    {
        var api = new ApiDriver(Fixture);
        var enterprise = await api.Register(TestData.NewEnterprise(s_movesTowns[0], Sector.Gas));
        Assert.Contains(enterprise.CreditCode, (await Lists.AllEnterprises(Fixture, new ListEnterprisesRequest { Parent = $"regions/{s_movesTowns[0]}" })).Select(e => e.CreditCode));

        var moved = enterprise.Clone();
        moved.Town = s_movesTowns[2];
        moved.DisplayName = "迁址后的企业";
        await api.Register(moved);

        Assert.DoesNotContain(enterprise.CreditCode, (await Lists.AllEnterprises(Fixture, new ListEnterprisesRequest { Parent = $"regions/{s_movesTowns[0]}" })).Select(e => e.CreditCode));
        var there = (await Lists.AllEnterprises(Fixture, new ListEnterprisesRequest { Parent = $"regions/{s_movesTowns[2]}" })).Single(e => e.CreditCode == enterprise.CreditCode);
        Assert.Equal(("迁址后的企业", s_movesTowns[2]), (there.DisplayName, there.Town));
        Assert.Single(await Lists.AllEnterprises(Fixture, new ListEnterprisesRequest { Parent = $"regions/{MovesCounty}" }), e => e.CreditCode == enterprise.CreditCode);
    }
}
