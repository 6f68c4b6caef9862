using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Queries;

/// <summary>
/// ListHazards over a county's hazards the test made itself: every filter, every order and the
/// paging rules, each checked against the test's own record of what it did (the hazards as the
/// writes answered them), never against a count made by the service.
/// </summary>
public sealed class HazardListTests(HazardListTests.Setup setup) : IClassFixture<HazardListTests.Setup>
{
    private const string County = "370103";
    private static readonly string[] s_towns = [.. TestData.TownsOf(County, 3)];
    private ClusterFixture Fixture => setup.Fixture;

    /// <summary>One cluster with 24 hazards at 6 enterprises in 3 towns of one county, in every state.</summary>
    public sealed class Setup : IAsyncLifetime
    {
        public ClusterFixture Fixture { get; } = new();

        /// <summary>The latest answer the writes gave for each hazard, by name.</summary>
        public Dictionary<string, Hazard> Hazards { get; } = [];

        public List<Api.V1.Enterprise> Enterprises { get; } = [];

        public async Task InitializeAsync()
        {
            await Fixture.InitializeAsync();
            var api = new ApiDriver(Fixture);
            Sector[] sectors = [Sector.Chemicals, Sector.Gas, Sector.Construction];
            ReportChannel[] channels = [ReportChannel.SelfReport, ReportChannel.Inspection, ReportChannel.VerifiedTip, ReportChannel.ExpertDiagnosis];
            for (var e = 0; e < 6; e++)
            {
                var enterprise = await api.Register(TestData.NewEnterprise(s_towns[e % 3], sectors));
                Enterprises.Add(enterprise);
                for (var h = 0; h < 4; h++)
                {
                    var n = (e * 4) + h;
                    var finding = ApiDriver.Finding(channels[n % 4], sectors[n % 3], $"判定标准第{n}条", $"{n}号车间",
                        n % 5 == 0 ? new DateTimeOffset(2023, 3, 1 + n, 8, 0, 0, TimeSpan.FromHours(8)) : Fixture.Now.AddDays(-1 - n));
                    finding.FoundByLevel = n % 4 == 1 ? SupervisionLevel.City : SupervisionLevel.Unspecified;
                    var hazard = (await api.Report(enterprise.CreditCode, finding)).Hazard;
                    hazard = (n % 6) switch
                    {
                        0 => hazard,
                        1 or 2 => await api.Start(hazard.Name, Fixture.Now.AddDays(1 + (n % 7))),
                        3 => await api.Submit((await api.Start(hazard.Name, Fixture.Now.AddDays(20))).Name),
                        4 => await api.Close((await api.Submit((await api.Start(hazard.Name, Fixture.Now.AddDays(20))).Name)).Name,
                            [ConfirmingParty.Regulator, ConfirmingParty.Expert, ConfirmingParty.Principal]),
                        _ => await api.Withdraw(hazard.Name, invalid: n % 2 == 0),
                    };
                    Hazards[hazard.Name] = hazard;
                }
            }

            // The same finding again through another channel: one record with two channels.
            var first = Hazards.Values.First(h => h.State == HazardState.Registered);
            var again = await api.Report(Enterprises.Single(e => first.Name.StartsWith(e.Name + "/", StringComparison.Ordinal)).CreditCode,
                ApiDriver.Finding(ReportChannel.VerifiedTip, first.Sector, first.Criterion, first.Location, Fixture.Now.AddHours(-1)));
            Assert.False(again.Created);
            Hazards[first.Name] = again.Hazard;

            // Past the earliest deadlines: those hazards are overdue, and their warning letters fire.
            Fixture.Advance(TimeSpan.FromDays(4));
            var overdue = Hazards.Values.Where(h => h.State == HazardState.Rectifying && h.Deadline.ToDateTimeOffset() < Fixture.Now).ToList();
            Assert.NotEmpty(overdue);
            foreach (var h in overdue)
            {
                Hazards[h.Name] = await Eventually.Until(() => api.Get(h.Name), g => g.Escalations.Count > 0, $"the warning letter of {h.Name}");
            }

            // The index follows the ledgers a flush behind: wait until it holds every version.
            await Eventually.Holds(async () =>
            {
                var listed = await Lists.AllHazards(Fixture, new ListHazardsRequest { Parent = $"regions/{County}" });
                Assert.Equal(Hazards.Values.Select(h => (h.Name, h.Version)).Order(), listed.Select(h => (h.Name, h.Version)).Order());
            }, "the index to hold the county's hazards at their latest versions");
        }

        public Task DisposeAsync() => Fixture.DisposeAsync();
    }

    private DateTimeOffset Now => Fixture.Now;

    public static TheoryData<string> FilterNames => [.. s_filters.Keys];

    private static readonly Dictionary<string, (Func<HazardFilter> Filter, Func<Hazard, DateTimeOffset, bool> Expected)> s_filters = new()
    {
        ["states"] = (() => Filter(f => f.States.AddRange([HazardState.Rectifying, HazardState.Closed])), (h, _) => h.State is HazardState.Rectifying or HazardState.Closed),
        ["sectors"] = (() => Filter(f => f.Sectors.Add(Sector.Gas)), (h, _) => h.Sector == Sector.Gas),
        ["channels"] = (() => Filter(f => f.Channels.Add(ReportChannel.VerifiedTip)), (h, _) => h.Channels.Contains(ReportChannel.VerifiedTip)),
        ["levels"] = (() => Filter(f => f.SupervisionLevels.Add(SupervisionLevel.City)), (h, _) => h.SupervisionLevel == SupervisionLevel.City),
        ["overdue"] = (() => Filter(f => f.Overdue = true), (h, now) => Overdue(h, now)),
        ["not overdue"] = (() => Filter(f => f.Overdue = false), (h, now) => !Overdue(h, now)),
        ["stock"] = (() => Filter(f => f.Stock = true), (h, _) => h.Stock),
        ["increment"] = (() => Filter(f => f.Stock = false), (h, _) => !h.Stock),
        ["found time"] = (() => Filter(f => f.FoundTime = new TimeRange { StartTime = Timestamp.FromDateTimeOffset(ClusterFixture.Start.AddDays(-12)), EndTime = Timestamp.FromDateTimeOffset(ClusterFixture.Start.AddDays(-4)) }),
            (h, _) => h.FoundTime.ToDateTimeOffset() >= ClusterFixture.Start.AddDays(-12) && h.FoundTime.ToDateTimeOffset() < ClusterFixture.Start.AddDays(-4)),
        ["deadline"] = (() => Filter(f => f.Deadline = new TimeRange { EndTime = Timestamp.FromDateTimeOffset(ClusterFixture.Start.AddDays(6)) }),
            (h, _) => h.Deadline is not null && h.Deadline.ToDateTimeOffset() < ClusterFixture.Start.AddDays(6)),
        ["escalated"] = (() => Filter(f => f.MinEscalationStep = EscalationStep.WarningLetter), (h, _) => h.Escalations.Count > 0),
        ["escalated far"] = (() => Filter(f => f.MinEscalationStep = EscalationStep.Summons), (h, _) => h.Escalations.Any(e => e.Step >= EscalationStep.Summons)),
        ["combined"] = (() => Filter(f => { f.Sectors.AddRange([Sector.Chemicals, Sector.Construction]); f.States.Add(HazardState.Rectifying); f.Stock = false; }),
            (h, _) => h.Sector is Sector.Chemicals or Sector.Construction && h.State == HazardState.Rectifying && !h.Stock),
    };

    private static HazardFilter Filter(Action<HazardFilter> set)
    {
        var filter = new HazardFilter();
        set(filter);
        return filter;
    }

    private static bool Overdue(Hazard h, DateTimeOffset now) => h.State == HazardState.Rectifying && h.Deadline.ToDateTimeOffset() < now;

    [Theory]
    [MemberData(nameof(FilterNames))]
    public async Task Each_filter_lists_exactly_the_hazards_it_describes(string name)
    {
        var (filter, expected) = s_filters[name];
        var listed = await Lists.AllHazards(Fixture, new ListHazardsRequest { Parent = $"regions/{County}", Filter = filter(), PageSize = 5 });
        var wanted = setup.Hazards.Values.Where(h => expected(h, Now)).Select(h => h.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(wanted, listed.Select(h => h.Name));
        Assert.True(name is "escalated far" || wanted.Count > 0, $"the filter '{name}' should match some of the test's hazards");

        // The total of a new listing, counted from the index's cells where the filter allows, by
        // testing each hazard where not: the same number either way, for the county and its city.
        foreach (var parent in new[] { County, County[..4] })
        {
            var first = await Fixture.SupervisorHazards.ListHazardsAsync(new ListHazardsRequest { Parent = $"regions/{parent}", Filter = filter(), PageSize = 1 });
            Assert.Equal(wanted.Count, first.TotalSize);
        }
    }

    [Fact]
    public async Task Each_order_is_total_with_the_name_as_tie_breaker()
    {
        var byName = setup.Hazards.Values.OrderBy(h => h.Name, StringComparer.Ordinal).ToList();
        var byDeadline = byName.OrderBy(h => h.Deadline is null ? 1 : 0).ThenBy(h => h.Deadline?.ToDateTimeOffset()).ToList(); // stable: name breaks ties
        var byFound = byName.OrderBy(h => h.FoundTime.ToDateTimeOffset()).ToList();
        foreach (var (order, expected) in new[] { (HazardOrderBy.Unspecified, byName), (HazardOrderBy.Name, byName), (HazardOrderBy.Deadline, byDeadline), (HazardOrderBy.FoundTime, byFound) })
        {
            var listed = await Lists.AllHazards(Fixture, new ListHazardsRequest { Parent = $"regions/{County}", OrderBy = order, PageSize = 7 });
            Assert.Equal(expected.Select(h => h.Name), listed.Select(h => h.Name));
        }
    }

    [Fact]
    public async Task Items_carry_what_the_index_holds_and_the_total_counts_every_page()
    {
        var pages = await Lists.HazardPages(Fixture, new ListHazardsRequest { Parent = $"regions/{County}", PageSize = 10 });
        Assert.Equal([10, 10, setup.Hazards.Count - 20], pages.Select(p => p.Hazards.Count));
        Assert.All(pages, p => Assert.Equal(setup.Hazards.Count, p.TotalSize));
        foreach (var listed in pages.SelectMany(p => p.Hazards))
        {
            var written = setup.Hazards[listed.Name];
            Assert.Equal(
                (written.Version, written.EnterpriseDisplayName, written.Town, written.Sector, written.Criterion, written.Location, written.State, written.Deadline, written.CloseTime, written.SupervisionLevel, written.Stock, written.FoundTime, written.RegisterTime, written.UpdateTime),
                (listed.Version, listed.EnterpriseDisplayName, listed.Town, listed.Sector, listed.Criterion, listed.Location, listed.State, listed.Deadline, listed.CloseTime, listed.SupervisionLevel, listed.Stock, listed.FoundTime, listed.RegisterTime, listed.UpdateTime));
            Assert.Equal(written.Channels, listed.Channels);
            Assert.Equal(written.Escalations, listed.Escalations);
            Assert.Equal((string.Empty, 0), (listed.Description, listed.Trail.Count));
        }
    }

    [Fact]
    public async Task A_town_a_city_the_province_and_an_enterprise_list_what_the_test_put_there()
    {
        foreach (var parent in new[] { $"regions/{s_towns[1]}", $"regions/{County[..4]}", "regions/37" })
        {
            var code = parent["regions/".Length..];
            var listed = await Lists.AllHazards(Fixture, new ListHazardsRequest { Parent = parent, PageSize = 4 });
            Assert.Equal(setup.Hazards.Values.Where(h => h.Town.StartsWith(code, StringComparison.Ordinal)).Select(h => h.Name).Order(StringComparer.Ordinal), listed.Select(h => h.Name));
        }

        var enterprise = setup.Enterprises[4];
        var own = await Lists.AllHazards(Fixture, new ListHazardsRequest { Parent = enterprise.Name, PageSize = 3 });
        Assert.Equal(setup.Hazards.Keys.Where(n => n.StartsWith(enterprise.Name + "/", StringComparison.Ordinal)).Order(StringComparer.Ordinal), own.Select(h => h.Name));
    }

    [Fact]
    public async Task Page_size_and_page_token_are_checked()
    {
        var refused = await ApiDriver.Refusal(() => Fixture.Hazards.ListHazardsAsync(new ListHazardsRequest { Parent = $"regions/{County}", PageSize = -1 }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "page_size"), (refused.Code, refused.Field));

        var first = new ListHazardsRequest { Parent = $"regions/{County}", PageSize = 5, OrderBy = HazardOrderBy.Deadline, Filter = Filter(f => f.Stock = false) };
        var token = (await Fixture.Hazards.ListHazardsAsync(first)).NextPageToken;
        Assert.NotEmpty(token);

        // The token with another parent, filter or order; a token altered or made up.
        var others = new[]
        {
            Next(first, token, r => r.Parent = $"regions/{County[..4]}"),
            Next(first, token, r => r.Filter.Stock = true),
            Next(first, token, r => r.Filter = null),
            Next(first, token, r => r.OrderBy = HazardOrderBy.FoundTime),
            Next(first, token[..^4] + (token[^4..] == "AAAA" ? "BBBB" : "AAAA"), _ => { }),
            Next(first, "not-a-token", _ => { }),
            Next(first, "5", _ => { }),
        };
        foreach (var request in others)
        {
            refused = await ApiDriver.Refusal(() => Fixture.Hazards.ListHazardsAsync(request).ResponseAsync);
            Assert.Equal((StatusCode.InvalidArgument, "page_token"), (refused.Code, refused.Field));
        }

        // A different page size is not a different list.
        Assert.NotEmpty((await Fixture.Hazards.ListHazardsAsync(Next(first, token, r => r.PageSize = 2))).Hazards);

        // Parents: malformed, unknown region, unregistered enterprise.
        refused = await ApiDriver.Refusal(() => Fixture.Hazards.ListHazardsAsync(new ListHazardsRequest { Parent = "towns/370103001" }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "parent"), (refused.Code, refused.Field));
        refused = await ApiDriver.Refusal(() => Fixture.Hazards.ListHazardsAsync(new ListHazardsRequest { Parent = "regions/379999" }).ResponseAsync);
        Assert.Equal((StatusCode.NotFound, "parent"), (refused.Code, refused.Field));
        refused = await ApiDriver.Refusal(() => Fixture.Hazards.ListHazardsAsync(new ListHazardsRequest { Parent = $"enterprises/{TestData.NewCreditCode(s_towns[0])}" }).ResponseAsync);
        Assert.Equal((StatusCode.NotFound, "parent"), (refused.Code, refused.Field));
    }

    [Fact]
    public async Task A_token_from_a_rebuilt_index_or_older_than_an_hour_sends_the_client_back_to_the_first_page()
    {
        var first = new ListHazardsRequest { Parent = "regions/37", PageSize = 5 };
        var token = (await Fixture.Hazards.ListHazardsAsync(first)).NextPageToken;
        var fingerprint = Gateway.Services.PageTokens.Fingerprint(first.Parent, first.Filter, new Int32Value { Value = (int)HazardGrid.Queries.HazardOrder.Name });
        var position = Gateway.Services.PageTokens.ReadHazards(token, fingerprint)!;

        // What the service would have issued before its index was rebuilt (another epoch), or an hour ago.
        var rebuilt = position with { Snapshots = [.. position.Snapshots.Select(s => s with { Epoch = s.Epoch + 1 })] };
        var expired = position with { StartedAt = position.StartedAt.AddHours(-1).AddMinutes(-1) };
        foreach (var stale in new[] { rebuilt, expired })
        {
            var refused = await ApiDriver.Refusal(() => Fixture.Hazards.ListHazardsAsync(Next(first, Gateway.Services.PageTokens.Write(stale, fingerprint), _ => { })).ResponseAsync);
            Assert.Equal((StatusCode.FailedPrecondition, "page_token"), (refused.Code, refused.Field));
        }

        Assert.Equal(5, (await Fixture.Hazards.ListHazardsAsync(Next(first, token, _ => { }))).Hazards.Count);
    }

    private static ListHazardsRequest Next(ListHazardsRequest first, string token, Action<ListHazardsRequest> change)
    {
        var next = first.Clone();
        next.PageToken = token;
        change(next);
        return next;
    }
}
