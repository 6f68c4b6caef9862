using System.Collections.Immutable;
using HazardGrid.Common;
using HazardGrid.Escalations;
using HazardGrid.Hazards;
using HazardGrid.Notifications;
using HazardGrid.Regions;
using HazardGrid.Rollups;

namespace HazardGrid.Enterprises;

/// <summary>What an enterprise remembers of a hazard report it answered.</summary>
/// <param name="Pending">The registration still to be completed, if the enterprise stopped
/// between allocating the number and handing the facts on; completed at the next activation.</param>
[GenerateSerializer, Immutable, Alias("hg.ReportRecord")]
public sealed record ReportRecord(int HazardNumber, bool Created, HazardRegistration? Pending);

/// <summary>The persisted state of an enterprise. Hazard figures are not persisted: they are
/// rebuilt from the hazards themselves when the grain activates.</summary>
[GenerateSerializer, Alias("hg.EnterpriseState")]
public sealed record EnterpriseState
{
    [Id(0)] public EnterpriseProfile? Profile { get; init; }
    [Id(1)] public DateTimeOffset RegisteredAt { get; init; }
    [Id(2)] public DateTimeOffset UpdatedAt { get; init; }
    [Id(3)] public int LastHazardNumber { get; init; }
    [Id(4)] public RecentRequests<ReportRecord> Reports { get; init; } = RecentRequests<ReportRecord>.Empty;
    [Id(5)] public RecentRequests<Enterprise> Registrations { get; init; } = RecentRequests<Enterprise>.Empty;
    [Id(6)] public ImmutableList<FatalAccident> FatalAccidents { get; init; } = [];
    [Id(7)] public RecentRequests<FatalAccident> AccidentReports { get; init; } = RecentRequests<FatalAccident>.Empty;
}

/// <summary>
/// One enterprise (生产经营单位), keyed by its credit code. It numbers its hazards, keeps one
/// finding from being registered twice, and routes every hazard write: hazard first, then the
/// notification log and the town ledger, then the answer. Calls only go down the tree.
/// </summary>
public sealed class EnterpriseGrain(
    [PersistentState("enterprise", StorageNames.Store)] IPersistentState<EnterpriseState> state,
    RegionCatalog regions,
    DomainClock clock,
    EscalationPolicy policy) : Grain, IEnterpriseGrain
{
    // The latest facts of each of this enterprise's hazards, by number: the source of its figures
    // and of the open-finding index. Rebuilt from the hazard grains on activation.
    private readonly Dictionary<int, MajorHazard> _hazards = [];

    /// <summary>The actor recorded on the trail for steps the ladder fires by itself.</summary>
    public const string EscalationTrigger = "escalation-ladder";

    private string CreditCode => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var numbers = Enumerable.Range(1, state.State.LastHazardNumber);
        var found = await Task.WhenAll(numbers.Select(n => Hazard(n).Find()));
        foreach (var hazard in found.OfType<MajorHazard>())
        {
            _hazards[hazard.Number] = hazard;
        }

        // A hazard write persisted just before a crash, and never retried, would not have reached
        // its town: hand the town every hazard's facts again (it keeps only newer versions).
        foreach (var town in _hazards.Values.GroupBy(h => h.TownCode))
        {
            await GrainFactory.GetGrain<IRegionGrain>(town.Key).ApplyHazardFacts([.. town.Select(h => h.Facts)]);
        }

        // Finish any report that was interrupted after its number was allocated.
        foreach (var entry in state.State.Reports.Entries.Where(e => e.Outcome.Pending is not null))
        {
            await CompleteRegistration(entry.Outcome.HazardNumber, entry.Outcome.Pending!, new WriteRequest(entry.RequestId, "recovery"));
        }
    }

    public async Task<Enterprise> Register(EnterpriseProfile profile, WriteRequest request)
    {
        var valid = EnterpriseProfile.Validate(profile, regions);
        if (valid.CreditCode != CreditCode)
        {
            throw DomainException.Invalid("enterprise.credit_code", $"'{valid.CreditCode}' does not match the enterprise named '{CreditCode}'");
        }

        var current = state.State;
        var fingerprint = Fingerprint(valid);
        if (current.Registrations.Find(request.RequestId, fingerprint) is { } earlier)
        {
            return earlier.Outcome;
        }

        if (current.Profile is { } existing && existing.TownCode != valid.TownCode && _hazards.Count > 0)
        {
            throw DomainException.Precondition(
                "enterprise.town",
                $"the enterprise has {_hazards.Count} hazard record(s) counted in town {existing.TownCode}; moving it is not supported");
        }

        var now = clock.Now;
        var next = current with
        {
            Profile = valid,
            RegisteredAt = current.Profile is null ? now : current.RegisteredAt,
            UpdatedAt = now,
        };
        var result = View(next, now);
        await Persist(next with { Registrations = next.Registrations.Add(new(request.RequestId, fingerprint, result)) });
        HazardGridMetrics.Write("enterprise");
        return result;
    }

    public Task<Enterprise> Get() => Task.FromResult(View(state.State with { Profile = RequireProfile("name") }, clock.Now));

    public async Task<HazardReportOutcome> ReportHazard(HazardReport report, WriteRequest request)
    {
        var profile = RequireProfile("parent");
        var now = clock.Now;
        var valid = report.Validate(now);
        if (!profile.Sectors.Contains(valid.Sector))
        {
            throw DomainException.Precondition("hazard.sector", $"enterprise {CreditCode} is not registered in sector {valid.Sector}");
        }

        var registration = new HazardRegistration(valid, profile.Name, profile.TownCode);
        var fingerprint = $"report|{valid.FindingKey}|{valid.Channel}|{valid.Sector}|{valid.FoundAt.UtcTicks}|{valid.Description}";
        if (state.State.Reports.Find(request.RequestId, fingerprint) is { } earlier)
        {
            return await Replay(earlier.Outcome, registration, valid.Channel, request);
        }

        var open = _hazards.Values.FirstOrDefault(h => h.IsOpen && h.FindingKey == valid.FindingKey);
        if (open is not null)
        {
            // The same finding through another channel (or again through the same one) while the
            // first is still open: one record, the repeat noted on its trail.
            var again = await Hazard(open.Number).RecordRepeatReport(valid.Channel, request);
            _hazards[again.Number] = again;
            await Persist(state.State with { Reports = state.State.Reports.Add(new(request.RequestId, fingerprint, new ReportRecord(again.Number, false, null))) });
            return new HazardReportOutcome(again, false);
        }

        // Allocate the number durably before the hazard exists, so that a crash can neither reuse
        // it nor lose the report: the pending entry is completed on the next activation or retry.
        var number = state.State.LastHazardNumber + 1;
        await Persist(state.State with
        {
            LastHazardNumber = number,
            Reports = state.State.Reports.Add(new(request.RequestId, fingerprint, new ReportRecord(number, true, registration))),
        });
        var hazard = await CompleteRegistration(number, registration, request);
        HazardGridMetrics.Write("report");

        // 直报: the province hears of a new major hazard at once, besides the batched figures.
        await Province.ReceiveDirectReport(new DirectReport(
            hazard.Id, DirectReportKind.NewMajorHazard, CreditCode, profile.Name, profile.TownCode, hazard.FoundAt, hazard.RegisteredAt, 0,
            $"{hazard.Sector}: {hazard.Criterion} @ {hazard.Location}"));
        return new HazardReportOutcome(hazard, true);
    }

    public async Task<MajorHazard> UpdateHazard(int hazardNumber, HazardCommand command, WriteRequest request)
    {
        RequireProfile("name");
        if (!_hazards.ContainsKey(hazardNumber))
        {
            throw DomainException.NotFound("name", $"hazard {new HazardKey(CreditCode, hazardNumber)} does not exist");
        }

        var hazard = await Hazard(hazardNumber).Execute(command, request);
        await Publish(hazard);
        HazardGridMetrics.Write("lifecycle");
        return hazard;
    }

    public async Task<FatalAccident> ReportFatalAccident(FatalAccidentReport report, WriteRequest request)
    {
        var profile = RequireProfile("parent");
        var now = clock.Now;
        var valid = report.Validate(now);
        var fingerprint = $"accident|{valid.OccurredAt.UtcTicks}|{valid.Deaths}|{valid.Description}";
        var accident = state.State.AccidentReports.Find(request.RequestId, fingerprint)?.Outcome;
        if (accident is null)
        {
            accident = new FatalAccident($"{CreditCode}/A{state.State.FatalAccidents.Count + 1}", CreditCode, profile.TownCode, valid.OccurredAt, valid.Deaths, valid.Description, now);
            await Persist(state.State with
            {
                FatalAccidents = state.State.FatalAccidents.Add(accident),
                AccidentReports = state.State.AccidentReports.Add(new(request.RequestId, fingerprint, accident)),
            });
        }

        // Durable in the town (and so, within a flush or two, in every figure above it), and
        // straight to the province's direct-report feed, before the answer. Both are idempotent.
        await GrainFactory.GetGrain<IRegionGrain>(profile.TownCode).ApplyFatalAccident(accident);
        await Province.ReceiveDirectReport(new DirectReport(
            accident.Id, DirectReportKind.FatalAccident, CreditCode, profile.Name, profile.TownCode, accident.OccurredAt, accident.ReportedAt, accident.Deaths, accident.Description));
        HazardGridMetrics.Write("accident");
        return accident;
    }

    public async Task Escalate(int hazardNumber, EscalationStep step, DateTimeOffset dueAt)
    {
        if (!_hazards.TryGetValue(hazardNumber, out var before))
        {
            return;
        }

        // A deterministic request id: a repeated tick for the same step and due time replays.
        var request = new WriteRequest($"ladder/{step}/{dueAt.UtcTicks}", EscalationTrigger);
        var hazard = await Hazard(hazardNumber).Execute(new FireEscalation(step, dueAt), request);
        if (hazard.Version == before.Version)
        {
            return; // no longer due: nothing fired
        }

        var fired = hazard.Escalations.Where(e => !before.Escalations.Any(b => b.Step == e.Step)).ToList();
        await GrainFactory.GetGrain<INotificationLogGrain>(CreditCode).Record([.. fired.SelectMany(e => EscalationNotifications(hazard, e))]);
        await Publish(hazard);
        fired.ForEach(e => HazardGridMetrics.Escalation(e.Step.ToString()));
    }

    private async Task<HazardReportOutcome> Replay(ReportRecord earlier, HazardRegistration registration, ReportChannel channel, WriteRequest request)
    {
        if (earlier.Pending is not null)
        {
            return new HazardReportOutcome(await CompleteRegistration(earlier.HazardNumber, earlier.Pending, request), true);
        }

        // Ask the hazard again under the same request id: it answers with its first result.
        var hazard = earlier.Created
            ? await Hazard(earlier.HazardNumber).Register(registration, request)
            : await Hazard(earlier.HazardNumber).RecordRepeatReport(channel, request);
        await Publish(hazard);
        return new HazardReportOutcome(hazard, earlier.Created);
    }

    private async Task<MajorHazard> CompleteRegistration(int number, HazardRegistration registration, WriteRequest request)
    {
        var hazard = await Hazard(number).Register(registration, request);
        await GrainFactory.GetGrain<INotificationLogGrain>(CreditCode).Record(NewHazardNotifications(hazard));
        await Publish(hazard);

        // The pending marker is cleared in memory only: if it survives a crash, completing it
        // again is harmless (every step above is idempotent), and the next write persists it.
        state.State = state.State with
        {
            Reports = new(state.State.Reports.Entries.ConvertAll(e =>
                e.Outcome.HazardNumber == number && e.Outcome.Pending is not null ? e with { Outcome = e.Outcome with { Pending = null } } : e)),
        };
        return hazard;
    }

    /// <summary>Hands a hazard's new facts to the town ledger (durable) and to this enterprise's figures.</summary>
    private async Task Publish(MajorHazard hazard)
    {
        await GrainFactory.GetGrain<IRegionGrain>(hazard.TownCode).ApplyHazardFacts([hazard.Facts]);
        if (!_hazards.TryGetValue(hazard.Number, out var known) || known.Version < hazard.Version)
        {
            _hazards[hazard.Number] = hazard;
        }
    }

    private ImmutableArray<Notification> NewHazardNotifications(MajorHazard hazard)
    {
        var profile = state.State.Profile!;
        var message = $"重大事故隐患 {hazard.Id}: {hazard.Criterion} @ {hazard.Location} ({hazard.Channels[0]})";
        Notification To(RecipientRole role, Person person) =>
            new($"{hazard.Id}/{NotificationKind.NewMajorHazard}/{role}", hazard.RegisteredAt, hazard.Id, NotificationKind.NewMajorHazard, role, person.Name, person.Phone, message);
        return [To(RecipientRole.Principal, profile.Principal), To(RecipientRole.ActualController, profile.ActualController)];
    }

    /// <summary>Who the ladder tells of a step: the principal, the actual controller, and the office
    /// supervising the hazard at its (possibly just raised) level.</summary>
    private IEnumerable<Notification> EscalationNotifications(MajorHazard hazard, EscalationRecord escalation)
    {
        var profile = state.State.Profile!;
        var office = regions.SelfAndAncestors(hazard.TownCode).First(r => r.Level == hazard.SupervisionLevel switch
        {
            SupervisionLevel.County => RegionLevel.County,
            SupervisionLevel.City => RegionLevel.City,
            _ => RegionLevel.Province,
        });
        var message = $"{escalation.Step}: 重大事故隐患 {hazard.Id} ({hazard.Criterion} @ {hazard.Location}) 逾期未整改, due {escalation.DueAt:yyyy-MM-dd}";
        Notification To(RecipientRole role, string name, string? phone) =>
            new($"{hazard.Id}/{escalation.Step}/{role}", escalation.FiredAt, hazard.Id, NotificationKind.Escalation, role, name, phone, message);
        yield return To(RecipientRole.Principal, profile.Principal.Name, profile.Principal.Phone);
        yield return To(RecipientRole.ActualController, profile.ActualController.Name, profile.ActualController.Phone);
        yield return To(RecipientRole.SupervisingOffice, $"{office.Name}安委办", null);
    }

    private Enterprise View(EnterpriseState s, DateTimeOffset now) =>
        new(s.Profile!, HazardFigures.Count(_hazards.Values.Select(h => h.Facts), now, policy.WatchListOverdueHazards, s.FatalAccidents),
            s.RegisteredAt, s.UpdatedAt, [.. s.FatalAccidents]);

    private EnterpriseProfile RequireProfile(string field) =>
        state.State.Profile ?? throw DomainException.NotFound(field, $"enterprise {CreditCode} is not registered");

    private IRegionGrain Province => GrainFactory.GetGrain<IRegionGrain>(regions.Root.Code);

    private IMajorHazardGrain Hazard(int number) => GrainFactory.GetGrain<IMajorHazardGrain>(new HazardKey(CreditCode, number).ToString());

    private Task Persist(EnterpriseState next) => state.WriteOrRollBackAsync(next, this);

    private static string Fingerprint(EnterpriseProfile p) =>
        string.Join('|', p.CreditCode, p.Name, p.TownCode, string.Join(',', p.Sectors), p.Principal, p.ActualController, p.SafetyDirector);
}
