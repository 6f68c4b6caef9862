using Grpc.Core;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace HazardGrid.Tests.GrpcApi;

/// <summary>
/// Random sequences of reports, lifecycle steps and clock moves over many hazards in six towns
/// of three cities. The test keeps its own model of every hazard it created and every step it
/// applied (state, deadline, found time, sector, supervision level, confirmations, the ladder
/// steps due), predicts each answer (created or landed on an open record, accepted or refused),
/// and at every checkpoint each hazard, town, county, city, the province and every enterprise
/// must show exactly what the model counts. The model is the test's own simple code: nothing
/// of the product's counting is used.
/// <para>Rewarded tips run alongside, from a random stream of their own (so the hazard steps of a
/// seed stay what they were): tips about the enterprises or addresses of the six towns, verified
/// as hazards (which the model registers like any report) or violations, dismissed, rewarded and
/// paid, and the clock moves make verifications overdue. Their due times are the official
/// working-day calendar's (<c>WorkingDayCalendar.Official</c>, the calendar's data, not the
/// product's counting).</para>
/// </summary>
/// <remarks>
/// The sequences are reproducible: the seeds are fixed (or given in <c>HAZARDGRID_RECOUNT_SEEDS</c>,
/// e.g. <c>5,6,7</c>), nothing the product answers steers the generator, and a failure names the
/// seed and step it happened at. The cluster is this class's own: the test asserts whole cities
/// and the province, and moves the clock by months.
/// </remarks>
public sealed class RecountPropertyTests(ClusterFixture fixture, ITestOutputHelper output)
    : RecountProperty(fixture, output, warnings: false), IClassFixture<ClusterFixture>;

/// <summary>
/// The same random sequences on a cluster whose ladder warns before the deadline (7 days or 20% of
/// the rectification period before it, whichever is later): the warnings fire as the model
/// predicts and every region's figures, warnings this month included, equal the model's count.
/// </summary>
public sealed class RecountWithDeadlineWarningsTests(DeadlineWarningCluster fixture, ITestOutputHelper output)
    : RecountProperty(fixture, output, warnings: true), IClassFixture<DeadlineWarningCluster>;

/// <summary>The random sequences and the model of <see cref="RecountPropertyTests"/>, on the
/// standard ladder or (<paramref name="warnings"/>) one with the deadline warning first.</summary>
public abstract class RecountProperty(ClusterFixture fixture, ITestOutputHelper output, bool warnings)
{
    private readonly ApiDriver _api = new(fixture);

    [Fact]
    public async Task After_random_operation_sequences_every_region_equals_the_tests_own_count_of_its_hazards()
    {
        var seeds = Environment.GetEnvironmentVariable("HAZARDGRID_RECOUNT_SEEDS") is { Length: > 0 } given
            ? given.Split(',').Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray()
            : [11, 23, 37];
        var towns = new[] { "370406", TestData.Regions.ChildrenOf("3701")[1], TestData.Regions.ChildrenOf("3702")[0] }
            .SelectMany(county => TestData.TownsOf(county, 2))
            .ToArray();
        var sectors = new[] { Sector.Chemicals, Sector.Gas, Sector.NonCoalMining, Sector.Fireworks, Sector.DustExplosion };
        var model = new Model(warnings);
        var enterprises = new List<Api.V1.Enterprise>();
        for (var i = 0; i < 12; i++)
        {
            var enterprise = await _api.Register(TestData.NewEnterprise(towns[i % towns.Length], sectors[i % 5], sectors[(i + 2) % 5]));
            enterprises.Add(enterprise);
            model.AddEnterprise(enterprise.CreditCode, enterprise.Town);
        }

        var findings = new List<(string CreditCode, NewHazard Finding)>();
        var refused = 0;
        var tips = new List<ModelTip>();
        var tipService = new TipService.TipServiceClient(fixture.Invoker);
        foreach (var seed in seeds)
        {
            var random = new Random(seed);
            var tipRandom = new Random(seed + 1_000_003);
            var step = 0;
            try
            {
                for (; step < 150; step++)
                {
                    refused += await RandomStep(random) ? 0 : 1;
                    if (tipRandom.Next(100) < 15)
                    {
                        await TipStep(tipRandom);
                    }

                    await LadderCaughtUp();
                }

                step = -1;
                await AssertEveryFigureIsTheModelsCount();
            }
            catch (Exception ex) when (ex is XunitException or RpcException)
            {
                var where = step < 0 ? "at the checkpoint after its 150 steps" : $"at step {step}";
                throw new XunitException(
                    $"seed {seed} (of {string.Join(",", seeds)}; rerun with HAZARDGRID_RECOUNT_SEEDS={string.Join(",", seeds)}), {where}, " +
                    $"domain time {fixture.Now:yyyy-MM-dd HH:mm}: {ex.Message}",
                    ex);
            }

            output.WriteLine($"seed {seed}: {model.Hazards.Count} hazards, {refused} refused steps, {fixture.Now:yyyy-MM-dd}, province {(await _api.Region("37")).Figures}");
        }

        // The generator must have exercised what it is meant to.
        var all = Model.Count(model.Hazards, fixture.Now);
        Assert.True(model.Hazards.Count > 40, $"only {model.Hazards.Count} hazards were created");
        Assert.True(refused is > 0 and < 225, $"{refused} steps were refused: the generator is not exercising the lifecycle");
        Assert.True(all.Closed > 5 && all.AwaitingVerification > 0 && all.Withdrawn + all.Invalid > 0, $"the lifecycle was not covered: {all}");
        var fired = model.Hazards.SelectMany(h => h.Fired).Select(f => f.Step).ToHashSet();
        Assert.True(fired.IsSupersetOf([EscalationStep.WarningLetter, EscalationStep.Circular, EscalationStep.Summons, EscalationStep.PublicExposure]), $"the ladder was not climbed: only {string.Join(", ", fired)}");
        Assert.Equal(warnings, fired.Contains(EscalationStep.DeadlineWarning));
        Assert.Contains(model.Hazards, h => h.Level != SupervisionLevel.County);
        Assert.True(
            new[] { TipState.Received, TipState.Dismissed, TipState.Verified, TipState.RewardDecided, TipState.RewardPaid }.All(s => tips.Any(t => t.Reached.Contains(s)))
            && tips.Any(t => t.HazardName is not null) && tips.Any(t => t.Reached.Contains(TipState.Verified) && t.HazardName is null) && tips.Any(t => t.EverOverdue),
            $"the tips did not cover their life: {string.Join(", ", tips.GroupBy(t => t.State).Select(g => $"{g.Key} {g.Count()}"))}");

        // One tip step: report one, or move one on (sometimes a step its state refuses).
        async Task TipStep(Random random)
        {
            var now = fixture.Now;
            foreach (var late in tips.Where(x => x.State == TipState.Received && x.DueAt < now))
            {
                late.EverOverdue = true;
            }

            if (tips.Count == 0 || random.Next(100) < 35)
            {
                var aboutEnterprise = random.Next(100) < 65;
                var enterprise = enterprises[random.Next(enterprises.Count)];
                var tip = new NewTip { Channel = (TipChannel)random.Next(1, 6), Content = $"举报 {random.Next(1000)}" };
                if (aboutEnterprise)
                {
                    tip.Enterprise = enterprise.CreditCode;
                }
                else
                {
                    tip.Town = towns[random.Next(towns.Length)];
                    tip.Address = $"地址 {random.Next(1000)}";
                }

                if (random.Next(2) == 0)
                {
                    tip.Tipster = new Tipster { Name = "举报人", Phone = "13800000000" };
                }

                var received = await tipService.ReportTipAsync(new ReportTipRequest { Tip = tip, RequestId = TestData.NewRequestId() });
                var town = aboutEnterprise ? enterprise.Town : tip.Town;
                var due = Common.WorkingDayCalendar.Official.AddWorkingDays(now, 15);
                Assert.Equal((town, TipState.Received, due), (received.Town, received.State, received.VerificationDueTime.ToDateTimeOffset()));
                tips.Add(new ModelTip(received.Name, town, aboutEnterprise ? enterprise.CreditCode : null, now, due));
                return;
            }

            var t = tips[random.Next(tips.Count)];
            var op = random.Next(100) < 85 ? t.State switch
            {
                TipState.Received => random.Next(3),
                TipState.Verified => 3,
                TipState.RewardDecided => 4,
                _ => random.Next(5),
            } : random.Next(5);
            var allowed = op <= 2 ? t.State == TipState.Received : op == 3 ? t.State == TipState.Verified : t.State == TipState.RewardDecided;
            Func<Task<Tip>> call;
            Model.Hazard? registered = null;
            switch (op)
            {
                case 0 when t.CreditCode is { } code:
                    var enterprise = enterprises.Single(e => e.CreditCode == code);
                    var finding = ApiDriver.Finding(ReportChannel.VerifiedTip, enterprise.Sectors[random.Next(enterprise.Sectors.Count)], $"C-{random.Next(1000)}", $"L-{random.Next(1000)}", t.ReceivedAt);
                    var asHazard = new TipHazard { Sector = finding.Sector, Criterion = finding.Criterion, Location = finding.Location, Description = finding.Description, FoundTime = finding.FoundTime };
                    if (allowed)
                    {
                        bool created;
                        (registered, created) = model.Report(code, finding, now);
                        if (created)
                        {
                            findings.Add((code, finding));
                        }
                    }

                    call = () => tipService.VerifyTipAsync(new VerifyTipRequest { Name = t.Name, AsHazard = asHazard, RequestId = TestData.NewRequestId() }).ResponseAsync;
                    break;
                case 0 or 1:
                    call = () => tipService.VerifyTipAsync(new VerifyTipRequest { Name = t.Name, AsViolation = new TipViolation { Note = "违法行为属实" }, RequestId = TestData.NewRequestId() }).ResponseAsync;
                    break;
                case 2:
                    call = () => tipService.DismissTipAsync(new DismissTipRequest { Name = t.Name, Reason = "不属实", RequestId = TestData.NewRequestId() }).ResponseAsync;
                    break;
                case 3:
                    var amount = random.Next(1, 5_000_000);
                    call = () => tipService.DecideTipRewardAsync(new DecideTipRewardRequest { Name = t.Name, AmountFen = amount, RequestId = TestData.NewRequestId() }).ResponseAsync;
                    if (allowed)
                    {
                        t.RewardFen = amount;
                    }

                    break;
                default:
                    call = () => tipService.RecordTipRewardPaymentAsync(new RecordTipRewardPaymentRequest { Name = t.Name, PaymentReference = "JL-1", RequestId = TestData.NewRequestId() }).ResponseAsync;
                    break;
            }

            if (!allowed)
            {
                Assert.Equal(StatusCode.FailedPrecondition, (await Assert.ThrowsAsync<RpcException>(call)).StatusCode);
                return;
            }

            var answer = await call();
            t.State = op switch { <= 1 => TipState.Verified, 2 => TipState.Dismissed, 3 => TipState.RewardDecided, _ => TipState.RewardPaid };
            t.Reached.Add(t.State);
            t.HazardName ??= registered?.Name;
            Assert.Equal((t.Name, t.State, t.HazardName ?? string.Empty), (answer.Name, answer.State, answer.Hazard));
            if (registered is not null)
            {
                AssertHazardIsTheModels(await _api.Get(registered.Name), registered);
            }
        }

        // One random step; false when the product refused it, as the model predicted.
        async Task<bool> RandomStep(Random random)
        {
            var roll = random.Next(100);
            if (roll < 15 || model.Hazards.Count == 0)
            {
                var enterprise = enterprises[random.Next(enterprises.Count)];
                var channel = (ReportChannel)random.Next(1, 5);
                var finding = ApiDriver.Finding(
                    channel,
                    enterprise.Sectors[random.Next(enterprise.Sectors.Count)],
                    $"C-{random.Next(1000)}",
                    $"L-{random.Next(1000)}",
                    new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)).AddDays(random.Next(1200)) is var found && found < fixture.Now ? found : fixture.Now.AddDays(-1));
                if (channel is ReportChannel.Inspection or ReportChannel.ExpertDiagnosis)
                {
                    finding.FoundByLevel = (SupervisionLevel)random.Next(0, 4); // unspecified: county
                }

                await Report(enterprise.CreditCode, finding);
                return true;
            }

            if (roll < 19)
            {
                // The same finding again, through another channel.
                var (creditCode, finding) = findings[random.Next(findings.Count)];
                var again = finding.Clone();
                again.Channel = (ReportChannel)random.Next(1, 5);
                again.FoundByLevel = again.Channel is ReportChannel.Inspection or ReportChannel.ExpertDiagnosis ? (SupervisionLevel)random.Next(0, 4) : SupervisionLevel.Unspecified;
                await Report(creditCode, again);
                return true;
            }

            if (roll < 27)
            {
                fixture.Advance(TimeSpan.FromHours(random.Next(1, 24 * 6)));
                return true;
            }

            // Mostly the step the hazard's state allows, sometimes any step (which may be refused).
            var hazard = model.Hazards[random.Next(model.Hazards.Count)];
            var op = random.Next(100) < 80
                ? hazard.State switch
                {
                    HazardState.Registered => random.Next(10) == 0 ? 6 : 0,
                    HazardState.Rectifying => random.Next(10) switch { < 4 => 1, < 9 => 2, _ => 6 },
                    HazardState.AwaitingVerification => random.Next(10) switch { < 3 => 4, < 8 => 5, _ => 3 },
                    _ => random.Next(7),
                }
                : random.Next(7);
            var name = hazard.Name;
            switch (op)
            {
                case 0:
                    var deadline = fixture.Now.AddHours(random.Next(2, 24 * 20));
                    return await Applied(hazard.Start(deadline, fixture.Now), () => _api.Start(name, deadline));
                case 1:
                    var percent = Math.Min(100, hazard.Progress + random.Next(1, 40));
                    return await Applied(hazard.RecordProgress(percent), () => _api.Progress(name, percent));
                case 2:
                    return await Applied(hazard.Submit(), () => _api.Submit(name));
                case 3:
                    return await Applied(hazard.Return(), () => _api.Return(name));
                case 4:
                    var party = (ConfirmingParty)random.Next(1, 4);
                    return await Applied(hazard.Confirm(party), () => _api.Confirm(name, party));
                case 5:
                    var parties = Parties(random, hazard);
                    return await Applied(hazard.Close(parties, fixture.Now), () => _api.Close(name, parties));
                default:
                    var invalid = random.Next(2) == 0;
                    return await Applied(hazard.Withdraw(invalid), () => _api.Withdraw(name, invalid));
            }

            // The model has applied the step, or found the rules refuse it; the product must agree.
            async Task<bool> Applied(bool accepted, Func<Task<Hazard>> call)
            {
                if (!accepted)
                {
                    var refusal = await Assert.ThrowsAsync<RpcException>(call);
                    Assert.Equal(StatusCode.FailedPrecondition, refusal.StatusCode);
                    return false;
                }

                AssertHazardIsTheModels(await call(), hazard);
                return true;
            }
        }

        // Each party not yet confirmed, most of the time (closing without all three is refused).
        static List<ConfirmingParty> Parties(Random random, Model.Hazard hazard) =>
            [.. new[] { ConfirmingParty.Regulator, ConfirmingParty.Expert, ConfirmingParty.Principal }
                .Where(p => random.Next(6) > 0)
                .Where(p => !hazard.Confirmed.Contains(p))];

        async Task Report(string creditCode, NewHazard finding)
        {
            var (expected, created) = model.Report(creditCode, finding, fixture.Now);
            var outcome = await _api.Report(creditCode, finding);
            Assert.Equal((expected.Name, created), (outcome.Hazard.Name, outcome.Created));
            if (created)
            {
                findings.Add((creditCode, finding));
            }

            AssertHazardIsTheModels(outcome.Hazard, expected);
        }

        // Steps that fall due fire by themselves (the town asks for them on its clock check). The
        // model fires every rung due now; wait until the product shows them, before anything else
        // happens to the hazard or the clock moves (both would change what fires, and when).
        async Task LadderCaughtUp()
        {
            foreach (var hazard in model.FireDueSteps(fixture.Now))
            {
                await Eventually.Holds(
                    async () => AssertHazardIsTheModels(await _api.Get(hazard.Name), hazard),
                    $"the ladder of {hazard.Name} to fire {string.Join(", ", hazard.Fired.Select(f => f.Step))}");
            }
        }

        async Task AssertEveryFigureIsTheModelsCount()
        {
            var now = fixture.Now;
            foreach (var hazard in model.Hazards)
            {
                AssertHazardIsTheModels(await _api.Get(hazard.Name), hazard);
            }

            var regions = towns.SelectMany(t => TestData.Regions.SelfAndAncestors(t)).Select(r => r.Code).Distinct();
            foreach (var code in regions)
            {
                var expected = Model.Count(model.Hazards.Where(h => h.Town.StartsWith(code, StringComparison.Ordinal)), now);
                var inRegion = tips.Where(t => t.Town.StartsWith(code, StringComparison.Ordinal)).ToList();
                expected.TipsReceived = inRegion.Count;
                expected.TipsVerified = inRegion.Count(t => t.State is TipState.Verified or TipState.RewardDecided or TipState.RewardPaid);
                expected.TipRewardsPaidFen = inRegion.Where(t => t.State == TipState.RewardPaid).Sum(t => t.RewardFen);
                expected.TipVerificationsOverdue = inRegion.Count(t => t.State == TipState.Received && t.DueAt < now);
                await _api.ExpectFigures(code, expected);
            }

            foreach (var enterprise in enterprises)
            {
                var shown = await fixture.Enterprises.GetEnterpriseAsync(new GetEnterpriseRequest { Name = enterprise.Name });
                Assert.Equal(Model.Count(model.Hazards.Where(h => h.CreditCode == enterprise.CreditCode), now), shown.Figures);
            }
        }
    }

    private static void AssertHazardIsTheModels(Hazard actual, Model.Hazard expected)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(
            (expected.State, expected.Level, expected.Deadline, expected.ClosedAt, expected.Progress),
            (actual.State, actual.SupervisionLevel, actual.Deadline?.ToDateTimeOffset(), actual.CloseTime?.ToDateTimeOffset(), actual.ProgressPercent));
        Assert.Equal(
            expected.Fired.Select(f => $"{f.Step} due {f.DueAt.UtcDateTime:O} fired {f.FiredAt.UtcDateTime:O}"),
            actual.Escalations.Select(e => $"{e.Step} due {e.DueTime.ToDateTime():O} fired {e.FireTime.ToDateTime():O}"));
    }

    /// <summary>A tip as the test made it.</summary>
    private sealed record ModelTip(string Name, string Town, string? CreditCode, DateTimeOffset ReceivedAt, DateTimeOffset DueAt)
    {
        public TipState State { get; set; } = TipState.Received;
        public long RewardFen { get; set; }
        public string? HazardName { get; set; }
        public bool EverOverdue { get; set; }
        public HashSet<TipState> Reached { get; } = [TipState.Received];
    }

    /// <summary>
    /// The test's own account of what it did, and its own count of what the figures must be:
    /// the rules as the directives state them, written as simply as possible.
    /// </summary>
    private sealed class Model(bool warnings)
    {
        private static readonly TimeSpan s_china = TimeSpan.FromHours(8);
        private static readonly DateTimeOffset s_stockCutoff = new(2024, 1, 1, 0, 0, 0, s_china);

        /// <summary>The default ladder: days after the deadline, whether it raises the level, the only level it applies at.</summary>
        private static readonly (EscalationStep Step, int Days, bool Raises, SupervisionLevel? Only)[] s_ladder =
        [
            (EscalationStep.WarningLetter, 0, false, null),
            (EscalationStep.Circular, 7, false, null),
            (EscalationStep.Summons, 14, false, null),
            (EscalationStep.PublicExposure, 30, true, null),
            (EscalationStep.AccidentInvestigation, 90, false, SupervisionLevel.Province),
        ];

        private readonly Dictionary<string, (string Town, int Created)> _enterprises = [];

        public List<Hazard> Hazards { get; } = [];

        public void AddEnterprise(string creditCode, string town) => _enterprises[creditCode] = (town, 0);

        /// <summary>A report lands on the enterprise's open record of the same finding, else opens the next number.</summary>
        public (Hazard Hazard, bool Created) Report(string creditCode, NewHazard finding, DateTimeOffset now)
        {
            var key = $"{creditCode}|{finding.Criterion}|{finding.Location}";
            if (Hazards.FirstOrDefault(h => h.FindingKey == key && h.IsOpen) is { } open)
            {
                return (open, false);
            }

            var (town, created) = _enterprises[creditCode];
            _enterprises[creditCode] = (town, created + 1);
            var level = finding.Channel is ReportChannel.Inspection or ReportChannel.ExpertDiagnosis && finding.FoundByLevel != SupervisionLevel.Unspecified
                ? finding.FoundByLevel
                : SupervisionLevel.County;
            var hazard = new Hazard($"enterprises/{creditCode}/hazards/{created + 1}", creditCode, town, finding.Sector, key, finding.FoundTime.ToDateTimeOffset(), level) { Warned = warnings };
            Hazards.Add(hazard);
            return (hazard, true);
        }

        /// <summary>Fires every ladder step due at <paramref name="now"/>, one after another, as the
        /// town does; the hazards that changed.</summary>
        public List<Hazard> FireDueSteps(DateTimeOffset now)
        {
            var changed = new List<Hazard>();
            foreach (var hazard in Hazards)
            {
                var any = false;
                while (hazard.NextStep() is { } next && next.DueAt <= now)
                {
                    hazard.Fired.Add((next.Step, next.DueAt, now));
                    if (next.Raises && hazard.Level != SupervisionLevel.Province)
                    {
                        hazard.Level++;
                    }

                    any = true;
                }

                if (any)
                {
                    changed.Add(hazard);
                }
            }

            return changed;
        }

        public static HazardFigures Count(IEnumerable<Hazard> hazards, DateTimeOffset now)
        {
            var list = hazards.ToList();
            var open = list.Where(h => h.IsOpen).ToList();
            var closed = list.Where(h => h.State == HazardState.Closed).ToList();
            int FiredThisMonth(EscalationStep step) => list.Sum(h => h.Fired.Count(f => f.Step == step && SameMonth(f.FiredAt, now)));
            var figures = new HazardFigures
            {
                Open = open.Count,
                Registered = list.Count(h => h.State == HazardState.Registered),
                Rectifying = list.Count(h => h.State == HazardState.Rectifying),
                AwaitingVerification = list.Count(h => h.State == HazardState.AwaitingVerification),
                Overdue = open.Count(h => h.IsOverdue(now)),
                Closed = closed.Count,
                ClosedThisMonth = closed.Count(h => SameMonth(h.ClosedAt!.Value, now)),
                Withdrawn = list.Count(h => h.State == HazardState.Withdrawn),
                Invalid = list.Count(h => h.State == HazardState.Invalid),
                OpenStock = open.Count(h => h.FoundAt < s_stockCutoff),
                OpenIncrement = open.Count(h => h.FoundAt >= s_stockCutoff),
                ClosedStock = closed.Count(h => h.FoundAt < s_stockCutoff),
                ClosedIncrement = closed.Count(h => h.FoundAt >= s_stockCutoff),
                AtCountyLevel = open.Count(h => h.Level == SupervisionLevel.County),
                AtCityLevel = open.Count(h => h.Level == SupervisionLevel.City),
                AtProvinceLevel = open.Count(h => h.Level == SupervisionLevel.Province),
                WarningLettersThisMonth = FiredThisMonth(EscalationStep.WarningLetter),
                CircularsThisMonth = FiredThisMonth(EscalationStep.Circular),
                SummonsThisMonth = FiredThisMonth(EscalationStep.Summons),
                ExposuresThisMonth = FiredThisMonth(EscalationStep.PublicExposure),
                InvestigationsThisMonth = FiredThisMonth(EscalationStep.AccidentInvestigation),
                DeadlineWarningsThisMonth = FiredThisMonth(EscalationStep.DeadlineWarning),
                Exposed = open.Count(h => h.HasFired(EscalationStep.PublicExposure)),
                UnderInvestigation = open.Count(h => h.HasFired(EscalationStep.AccidentInvestigation)),
                // An enterprise is watched with an exposed open hazard or more than three overdue ones.
                WatchListEnterprises = open.GroupBy(h => h.CreditCode)
                    .Count(e => e.Any(h => h.HasFired(EscalationStep.PublicExposure)) || e.Count(h => h.IsOverdue(now)) > 3),
            };
            figures.BySector.AddRange(open.Concat(closed)
                .GroupBy(h => h.Sector)
                .OrderBy(g => g.Key)
                .Select(g => new SectorFigures
                {
                    Sector = g.Key,
                    Open = g.Count(h => h.IsOpen),
                    Overdue = g.Count(h => h.IsOverdue(now)),
                    Closed = g.Count(h => h.State == HazardState.Closed),
                }));
            return figures;
        }

        private static bool SameMonth(DateTimeOffset a, DateTimeOffset b) =>
            (a.ToOffset(s_china).Year, a.ToOffset(s_china).Month) == (b.ToOffset(s_china).Year, b.ToOffset(s_china).Month);

        /// <summary>One hazard as the test made it. Each step returns whether the rules allow it,
        /// and applies it if so.</summary>
        public sealed class Hazard(string name, string creditCode, string town, Sector sector, string findingKey, DateTimeOffset foundAt, SupervisionLevel level)
        {
            public string Name { get; } = name;
            public string CreditCode { get; } = creditCode;
            public string Town { get; } = town;
            public Sector Sector { get; } = sector;
            public string FindingKey { get; } = findingKey;
            public DateTimeOffset FoundAt { get; } = foundAt;
            public SupervisionLevel Level { get; set; } = level;
            public HazardState State { get; private set; } = HazardState.Registered;
            public DateTimeOffset? Deadline { get; private set; }
            public DateTimeOffset? ClosedAt { get; private set; }
            public int Progress { get; private set; }
            public HashSet<ConfirmingParty> Confirmed { get; } = [];
            public List<(EscalationStep Step, DateTimeOffset DueAt, DateTimeOffset FiredAt)> Fired { get; } = [];

            public bool IsOpen => State is HazardState.Registered or HazardState.Rectifying or HazardState.AwaitingVerification;

            /// <summary>Rectifying past the deadline; awaiting verification is not overdue.</summary>
            public bool IsOverdue(DateTimeOffset now) => State == HazardState.Rectifying && Deadline < now;

            public bool HasFired(EscalationStep step) => Fired.Any(f => f.Step == step);

            /// <summary>Whether the ladder warns before the deadline.</summary>
            public bool Warned { get; init; }

            public DateTimeOffset? StartedAt { get; private set; }

            /// <summary>Only a rectifying hazard climbs: the first rung not fired that applies at its level.</summary>
            public (EscalationStep Step, DateTimeOffset DueAt, bool Raises)? NextStep()
            {
                if (State != HazardState.Rectifying)
                {
                    return null;
                }

                // The warning: first, once, and only while nothing later has fired; 7 days or a fifth
                // of the period from the start of rectification before the deadline, the later.
                if (Warned && Fired.Count == 0)
                {
                    var deadline = Deadline!.Value;
                    var byShare = deadline - TimeSpan.FromTicks((long)((deadline - StartedAt!.Value).Ticks * 0.2));
                    var byDays = deadline.AddDays(-7);
                    return (EscalationStep.DeadlineWarning, byShare > byDays ? byShare : byDays, false);
                }

                foreach (var (step, days, raises, only) in s_ladder)
                {
                    if (!HasFired(step) && (only is null || only == Level))
                    {
                        return (step, Deadline!.Value.AddDays(days), raises);
                    }
                }

                return null;
            }

            public bool Start(DateTimeOffset deadline, DateTimeOffset now) => Move(HazardState.Registered, HazardState.Rectifying, () => (Deadline, StartedAt) = (deadline, now));

            public bool RecordProgress(int percent) => percent >= Progress && Move(HazardState.Rectifying, HazardState.Rectifying, () => Progress = percent);

            public bool Submit() => Move(HazardState.Rectifying, HazardState.AwaitingVerification, () => Progress = 100);

            public bool Return() => Move(HazardState.AwaitingVerification, HazardState.Rectifying, Confirmed.Clear);

            public bool Confirm(ConfirmingParty party) => !Confirmed.Contains(party) && Move(HazardState.AwaitingVerification, HazardState.AwaitingVerification, () => Confirmed.Add(party));

            /// <summary>Closure needs all three parties, confirmed ahead or given now (none twice).</summary>
            public bool Close(IReadOnlyCollection<ConfirmingParty> given, DateTimeOffset now) =>
                !given.Any(Confirmed.Contains)
                && Confirmed.Union(given).Count() == 3
                && Move(HazardState.AwaitingVerification, HazardState.Closed, () =>
                {
                    Confirmed.UnionWith(given);
                    ClosedAt = now;
                });

            public bool Withdraw(bool invalid) => IsOpen && Move(State, invalid ? HazardState.Invalid : HazardState.Withdrawn, () => { });

            private bool Move(HazardState from, HazardState to, Action apply)
            {
                if (State != from)
                {
                    return false;
                }

                State = to;
                apply();
                return true;
            }
        }
    }
}
