using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Queries;

/// <summary>
/// A province-wide listing of 5,000 hazards in two cities, paged while hazards are reported,
/// started, given later deadlines and closed: every hazard that existed when paging began comes
/// back exactly once. Heavy, so it has a cluster of its own.
/// </summary>
public sealed class PagingUnderWritesTests(PagingUnderWritesTests.Setup setup) : IClassFixture<PagingUnderWritesTests.Setup>
{
    private const int Enterprises = 250;
    private const int HazardsEach = 20;

    private ClusterFixture Fixture => setup.Fixture;

    /// <summary>5,000 hazards over 250 enterprises in ten towns of Jinan and Zaozhuang; every other one rectifying.</summary>
    public sealed class Setup : IAsyncLifetime
    {
        public ClusterFixture Fixture { get; } = new();

        /// <summary>The hazards as the writes answered them, by name.</summary>
        public ConcurrentDictionary<string, Hazard> Hazards { get; } = new();

        public List<string> CreditCodes { get; } = [];

        public async Task InitializeAsync()
        {
            await Fixture.InitializeAsync();
            var towns = TestData.TownsOf("370102", 5).Concat(TestData.TownsOf("370406", 5)).ToList();
            var register = new BatchRegisterEnterprisesRequest();
            register.Requests.AddRange(Enumerable.Range(0, Enterprises).Select(i => new RegisterEnterpriseRequest
            {
                Enterprise = TestData.NewEnterprise(towns[i % towns.Count], Sector.Chemicals, Sector.Gas),
                RequestId = TestData.NewRequestId(),
            }));
            CreditCodes.AddRange((await Fixture.Enterprises.BatchRegisterEnterprisesAsync(register)).Enterprises.Select(e => e.CreditCode));

            var api = new ApiDriver(Fixture);
            var reports = CreditCodes.SelectMany(code => Enumerable.Range(0, HazardsEach).Select(n => (code, n)));
            await Parallel.ForEachAsync(reports, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (r, _) =>
            {
                var hazard = (await api.Report(r.code, ApiDriver.Finding(ReportChannel.Inspection, r.n % 2 == 0 ? Sector.Chemicals : Sector.Gas,
                    $"第{r.n}条", $"{r.n}号装置", Fixture.Now.AddDays(-1 - (r.n * 3))))).Hazard;
                Hazards[hazard.Name] = hazard;
            });

            // Every other hazard rectifying, deadlines spread over two years (ties included).
            var toStart = Hazards.Keys.Order(StringComparer.Ordinal).Where((_, i) => i % 2 == 0).ToList();
            foreach (var chunk in toStart.Chunk(500))
            {
                var batch = new BatchUpdateHazardsRequest();
                batch.Updates.AddRange(chunk.Select((name, i) => new HazardUpdate { StartRectification = new StartRectificationRequest
                {
                    Name = name,
                    Deadline = Timestamp.FromDateTimeOffset(Fixture.Now.AddDays(2 + (i % 700))),
                    Plan = "整改",
                    RequestId = TestData.NewRequestId(),
                } }));
                foreach (var h in (await Fixture.Hazards.BatchUpdateHazardsAsync(batch)).Hazards)
                {
                    Hazards[h.Name] = h;
                }
            }

            await Eventually.Holds(async () =>
            {
                var all = await Fixture.Hazards.ListHazardsAsync(new ListHazardsRequest { Parent = "regions/37", PageSize = 1 });
                var rectifying = await Fixture.Hazards.ListHazardsAsync(new ListHazardsRequest { Parent = "regions/37", PageSize = 1, Filter = new HazardFilter { States = { HazardState.Rectifying } } });
                Assert.Equal((Enterprises * HazardsEach, toStart.Count), (all.TotalSize, rectifying.TotalSize));
            }, "the indexes to hold the 5,000 hazards", TimeSpan.FromSeconds(60));
        }

        public Task DisposeAsync() => Fixture.DisposeAsync();
    }

    [Fact]
    public async Task Paging_by_deadline_while_writes_go_on_returns_each_hazard_of_the_start_exactly_once()
    {
        var api = new ApiDriver(Fixture);
        var atStart = setup.Hazards.Keys.ToHashSet();
        var returned = new List<Hazard>();
        var writes = 0;

        // Writers in parallel with the paging, on hazards of their own: new reports, and later
        // deadlines for rectifying hazards (which moves them in the order being paged).
        // They start once the first page is answered: the listing's snapshot is taken by that page,
        // and a report that reached the index before it would belong to the listing (a loaded
        // machine answered the first page late enough for four of them once).
        using var stop = new CancellationTokenSource();
        var firstPage = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var background = setup.Hazards.Values.Where(h => h.State == HazardState.Rectifying).Select(h => h.Name).Order(StringComparer.Ordinal).Where((_, i) => i % 10 == 9).ToList();
        var writer = Task.Run(async () =>
        {
            await firstPage.Task;
            for (var round = 0; !stop.IsCancellationRequested; round++)
            {
                var name = background[round % background.Count];
                var current = await api.Get(name);
                await Fixture.SupervisorHazards.ExtendDeadlineAsync(new ExtendDeadlineRequest
                {
                    Name = name,
                    Deadline = Timestamp.FromDateTimeOffset(current.Deadline.ToDateTimeOffset().AddDays(1)),
                    Reason = "专家论证后延期",
                    DecidedBy = "赵监管",
                    RequestId = TestData.NewRequestId(),
                });
                await api.Report(setup.CreditCodes[round % setup.CreditCodes.Count],
                    ApiDriver.Finding(ReportChannel.SelfReport, Sector.Gas, $"后报第{round}条", "新装置", Fixture.Now.AddDays(-1)));
                Interlocked.Increment(ref writes);
            }
        });

        // Between pages, changes that move hazards across the page boundary, seen by the index
        // before the next page is read: a deadline pushed past the cursor (a hazard already
        // returned would come again), a first deadline set early (a hazard not yet returned would
        // be skipped), a closure, a new report.
        var pendingStart = new Queue<string>(setup.Hazards.Values.Where(h => h.State == HazardState.Registered).Select(h => h.Name).Order(StringComparer.Ordinal).Take(200));
        var foreground = setup.Hazards.Values.Where(h => h.State == HazardState.Rectifying).Select(h => h.Name).Order(StringComparer.Ordinal).Where((_, i) => i % 10 == 3).ToList();
        var round = 0;
        var moved = new HashSet<string>();
        async Task MoveThingsAround()
        {
            var returnedNames = returned.Select(h => h.Name).ToHashSet();
            bool Untouched(string n) => setup.Hazards[n].State == HazardState.Rectifying && !moved.Contains(n);
            var seen = foreground.FirstOrDefault(n => returnedNames.Contains(n) && Untouched(n));
            var unseen = foreground.FirstOrDefault(n => !returnedNames.Contains(n) && Untouched(n) && n != seen);
            var toClose = foreground.LastOrDefault(n => Untouched(n) && n != seen && n != unseen);
            moved.UnionWith(new[] { seen, unseen, toClose }.OfType<string>());
            // Deadline extensions are a supervisor's decision, the rest a system's writes: two batches.
            var decisions = new BatchUpdateHazardsRequest();
            var batch = new BatchUpdateHazardsRequest();
            foreach (var name in new[] { seen, unseen }.OfType<string>())
            {
                decisions.Updates.Add(new HazardUpdate { ExtendDeadline = new ExtendDeadlineRequest
                {
                    Name = name,
                    Deadline = Timestamp.FromDateTimeOffset(setup.Hazards[name].Deadline.ToDateTimeOffset().AddDays(300)),
                    Reason = "延期",
                    DecidedBy = "赵监管",
                    RequestId = TestData.NewRequestId(),
                } });
            }

            if (pendingStart.TryDequeue(out var registered))
            {
                batch.Updates.Add(new HazardUpdate { StartRectification = new StartRectificationRequest
                {
                    Name = registered,
                    Deadline = Timestamp.FromDateTimeOffset(Fixture.Now.AddDays(1).AddMinutes(round)),
                    Plan = "整改",
                    RequestId = TestData.NewRequestId(),
                } });
            }

            if (toClose is not null)
            {
                batch.Updates.Add(new HazardUpdate { SubmitForVerification = new SubmitForVerificationRequest { Name = toClose, RequestId = TestData.NewRequestId() } });
                var close = new CloseHazardRequest { Name = toClose, RequestId = TestData.NewRequestId() };
                close.Confirmations.AddRange([api.Confirmation(ConfirmingParty.Regulator), api.Confirmation(ConfirmingParty.Expert), api.Confirmation(ConfirmingParty.Principal)]);
                batch.Updates.Add(new HazardUpdate { CloseHazard = close });
            }

            var decided = decisions.Updates.Count == 0 ? [] : (await Fixture.SupervisorHazards.BatchUpdateHazardsAsync(decisions)).Hazards.ToList();
            var written = batch.Updates.Count == 0 ? [] : (await Fixture.Hazards.BatchUpdateHazardsAsync(batch)).Hazards.ToList();
            var changed = decided.Concat(written).GroupBy(h => h.Name).Select(g => g.MaxBy(h => h.Version)!).ToList();
            foreach (var h in changed)
            {
                setup.Hazards[h.Name] = h;
            }

            var reported = (await api.Report(setup.CreditCodes[(round * 7) % setup.CreditCodes.Count],
                ApiDriver.Finding(ReportChannel.VerifiedTip, Sector.Chemicals, $"翻页中第{round}条", "新仓库", Fixture.Now.AddDays(-2)))).Hazard;
            round++;

            foreach (var h in changed.Append(reported))
            {
                var enterprise = h.Name[..h.Name.IndexOf("/hazards/", StringComparison.Ordinal)];
                await Eventually.Holds(async () =>
                {
                    var listed = await Lists.AllHazards(Fixture, new ListHazardsRequest { Parent = enterprise, PageSize = 500 });
                    Assert.Equal(h.Version, listed.Single(l => l.Name == h.Name).Version);
                }, $"the index to take {h.Name} at version {h.Version}");
            }
        }

        var first = new ListHazardsRequest { Parent = "regions/37", OrderBy = HazardOrderBy.Deadline, PageSize = 100 };
        var pages = new List<ListHazardsResponse>();
        var request = first.Clone();
        while (true)
        {
            var page = await Fixture.Hazards.ListHazardsAsync(request);
            firstPage.TrySetResult();
            pages.Add(page);
            returned.AddRange(page.Hazards);
            if (page.NextPageToken.Length == 0)
            {
                break;
            }

            await MoveThingsAround();
            request.PageToken = page.NextPageToken;
        }

        await stop.CancelAsync();
        await writer;

        Assert.True(round >= 45 && writes > 0, $"writes went on while paging ({round} rounds between pages, {writes} in parallel)");
        Assert.All(pages, p => Assert.Equal(atStart.Count, p.TotalSize));
        var names = returned.Select(h => h.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(atStart.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));

        // In the snapshot's order: deadlines rising, none last, the name breaking ties.
        var keys = returned.Select(h => (Missing: h.Deadline is null, Deadline: h.Deadline?.ToDateTimeOffset() ?? default, h.Name)).ToList();
        Assert.Equal(keys.OrderBy(k => k.Missing).ThenBy(k => k.Deadline).ThenBy(k => k.Name, StringComparer.Ordinal), keys);

        // A new listing sees what changed meanwhile.
        var now = await Fixture.Hazards.ListHazardsAsync(new ListHazardsRequest { Parent = "regions/37", PageSize = 1 });
        Assert.True(now.TotalSize >= atStart.Count + round, $"a new listing counts the hazards reported since ({now.TotalSize})");
    }

    [Fact]
    public async Task A_page_holds_at_most_500_whatever_is_asked()
    {
        var page = await Fixture.Hazards.ListHazardsAsync(new ListHazardsRequest { Parent = "regions/37", PageSize = 1000 });
        Assert.Equal(500, page.Hazards.Count);
        Assert.NotEmpty(page.NextPageToken);
        page = await Fixture.Hazards.ListHazardsAsync(new ListHazardsRequest { Parent = "regions/3701" });
        Assert.Equal(50, page.Hazards.Count);
    }
}
