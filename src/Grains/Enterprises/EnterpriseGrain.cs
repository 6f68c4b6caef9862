using System.Collections.Immutable;
using HazardGrid.Common;
using HazardGrid.Escalations;
using HazardGrid.Hazards;
using HazardGrid.Notifications;
using HazardGrid.Regions;
using HazardGrid.Rollups;
using HazardGrid.Accidents;
using HazardGrid.Queries;

namespace HazardGrid.Enterprises;

/// <summary>
/// One enterprise (生产经营单位), keyed by its credit code. It numbers its hazards, keeps one
/// finding from being registered twice, and routes every hazard write: hazard first (with its
/// notification records), then the town ledger, then the answer. Calls only go down the tree.
/// <para>A new hazard is one durable write of the hazard itself: the enterprise keeps its numbering
/// and its request index in memory and rebuilds both from its hazards on activation. Numbers are
/// dense (a number is reused only if its hazard was never stored), so activation finds every
/// hazard by reading upwards from the last number it stored until the first one that is free.</para>
/// <para>Deactivated after an idle minute rather than Orleans' default: a province has a million
/// enterprises, each written a few times a year, and reactivating one is a single-row read.</para>
/// </summary>
[CollectionAgeLimit(Minutes = 1)]
public sealed class EnterpriseGrain(
    [PersistentState("enterprise", StorageNames.Store)] IPersistentState<EnterpriseState> state,
    RegionCatalog regions,
    DomainClock clock,
    EscalationPolicy policy) : Grain, IEnterpriseGrain
{
    // The latest facts of each of this enterprise's hazards, by number: the source of its figures
    // and of the open-finding index.
    private readonly Dictionary<int, MajorHazard> _hazards = [];

    // Every report a hazard of this enterprise answered, by request id: a retry finds its first answer.
    private readonly Dictionary<string, (int Number, AnsweredReport Report)> _reports = new(StringComparer.Ordinal);

    private int _lastNumber;

    /// <summary>The actor recorded on the trail for steps the ladder fires by itself.</summary>
    public const string EscalationTrigger = "escalation-ladder";

    private string CreditCode => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!state.RecordExists)
        {
            return; // never registered, so no hazard can exist
        }

        if (state.State is { Profile: { } profile, InDirectory: false })
        {
            // Registered before towns kept a directory: the town learns of it now, once.
            try
            {
                await Town(profile.TownCode).AnnounceEnterprise(DirectoryEntryOf(profile));
                await Persist(state.State with { InDirectory = true });
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Not this time: the next activation tries again; reading the enterprise must not fail for it.
            }
        }

        var stored = state.State.LastHazardNumber;
        var found = await Task.WhenAll(Enumerable.Range(1, stored).Select(n => Hazard(n).Find()));
        foreach (var entry in found.OfType<HazardIndexEntry>())
        {
            Index(entry);
        }

        // Hazards registered since the enterprise last wrote its own state.
        _lastNumber = stored;
        while (await Hazard(_lastNumber + 1).Find() is { } entry)
        {
            Index(entry);
            _lastNumber++;
        }

        // A hazard write persisted just before a crash, and never retried, would not have reached
        // its town: hand the town every hazard's facts again (it keeps only newer versions).
        foreach (var town in _hazards.Values.GroupBy(h => h.TownCode))
        {
            await GrainFactory.Reference<ITownGrain>(town.Key).ApplyHazardFacts([.. town.Select(h => h.Facts)]);
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
        if (request.Scope is { } scope)
        {
            // A move needs both towns in the caller's scope.
            scope.Require(valid.TownCode, "enterprise.town", $"town {valid.TownCode}");
            if (current.Profile is { } registered)
            {
                scope.Require(registered.TownCode, "enterprise.town", $"enterprise {CreditCode}, registered in town {registered.TownCode},");
            }
        }

        var fingerprint = RequestFingerprint.Of(valid);
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

        // The town's directory first (both towns on a move), then the enterprise's own write: a
        // registration that is acknowledged is in the directory. One that fails after this shows
        // in the new town's list until the client's retry completes it.
        await Town(valid.TownCode).AnnounceEnterprise(DirectoryEntryOf(valid));
        if (current.Profile is { } before && before.TownCode != valid.TownCode)
        {
            await Town(before.TownCode).ForgetEnterprise(CreditCode);
        }

        await Persist(next with { Registrations = next.Registrations.Add(new(request.RequestId, fingerprint, result)), InDirectory = true });
        HazardGridMetrics.Write("enterprise");
        return result;
    }

    public Task<Enterprise> Get() => Task.FromResult(View(state.State with { Profile = RequireProfile("name") }, clock.Now));

    public Task<Enterprise> GetInSectors(Sectors.SectorScope sectors)
    {
        var s = state.State with { Profile = RequireProfile("name") };
        var now = clock.Now;
        return Task.FromResult(new Enterprise(
            s.Profile!, HazardFigures.Count(_hazards.Values.Select(h => h.Facts).Where(h => sectors.Includes(h.Sector)), now, policy.WatchListOverdueHazards, s.FatalAccidents),
            s.RegisteredAt, s.UpdatedAt, [.. s.FatalAccidents]));
    }

    public async Task<HazardReportOutcome> ReportHazard(HazardReport report, WriteRequest request)
    {
        var profile = RequireProfile("parent", request);
        var now = clock.Now;
        var valid = report.Validate(now);
        if (!profile.Sectors.Contains(valid.Sector))
        {
            throw DomainException.Precondition("hazard.sector", $"enterprise {CreditCode} is not registered in sector {valid.Sector}");
        }

        var registration = new HazardRegistration(valid, profile.Name, profile.TownCode, Addressees(profile));
        var fingerprint = RequestFingerprint.Of(valid);
        if (_reports.TryGetValue(request.RequestId, out var earlier))
        {
            if (!RequestFingerprint.Matches(earlier.Report.Fingerprint, fingerprint))
            {
                throw DomainException.Invalid("request_id", $"'{request.RequestId}' was already used for a different request");
            }

            return await Replay(earlier.Number, earlier.Report.Created, registration, request);
        }

        var open = _hazards.Values.FirstOrDefault(h => h.IsOpen && h.FindingKey == valid.FindingKey);
        if (open is not null)
        {
            // The same finding through another channel (or again through the same one) while the
            // first is still open: one record, the repeat noted on its trail.
            var again = await Hazard(open.Number).RecordRepeatReport(valid, request);
            _reports[request.RequestId] = (again.Number, new AnsweredReport(request.RequestId, fingerprint, false));
            await Publish(again);
            return new HazardReportOutcome(again, false);
        }

        // The hazard's own write is the commit point of a report. If it fails, whether the store
        // kept it is unknown: retire this activation, so the next one re-reads which numbers are
        // taken instead of trusting memory.
        var number = _lastNumber + 1;
        MajorHazard hazard;
        try
        {
            hazard = await Hazard(number).Register(registration, request);
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }

        _lastNumber = number;
        _reports[request.RequestId] = (number, new AnsweredReport(request.RequestId, fingerprint, true));
        await Publish(hazard);
        HazardGridMetrics.Write("report");

        // 直报: the province hears of a new major hazard at once, besides the batched figures.
        await Province.ReceiveDirectReport(new DirectReport(
            hazard.Id, DirectReportKind.NewMajorHazard, CreditCode, profile.Name, profile.TownCode, hazard.FoundAt, hazard.RegisteredAt, 0,
            $"{hazard.Sector}: {hazard.Criterion} @ {hazard.Location}", [hazard.Sector]));
        return new HazardReportOutcome(hazard, true);
    }

    public async Task<ImmutableArray<Notification>> ListNotifications()
    {
        RequireProfile("parent");
        var lists = await Task.WhenAll(_hazards.Keys.Select(n => Hazard(n).GetNotifications()));
        return [.. lists.SelectMany(l => l).OrderBy(n => n.At).ThenBy(n => n.Id, StringComparer.Ordinal)];
    }

    public async Task<MajorHazard> UpdateHazard(int hazardNumber, HazardCommand command, WriteRequest request)
    {
        RequireProfile("name", request);
        if (!_hazards.TryGetValue(hazardNumber, out var known))
        {
            throw DomainException.NotFound("name", $"hazard {new HazardKey(CreditCode, hazardNumber)} does not exist");
        }

        RequireDecisionScope(known, command, request, "name");

        var hazard = await Hazard(hazardNumber).Execute(command, request);
        await Publish(hazard);
        HazardGridMetrics.Write("lifecycle");
        return hazard;
    }

    public async Task<ImmutableArray<MajorHazard>> UpdateHazardTogether(int hazardNumber, ImmutableArray<HazardUpdate> updates)
    {
        if (updates.IsDefaultOrEmpty)
        {
            RequireProfile("name");
            return [];
        }

        // Every update is checked against its caller's scope before any is applied.
        foreach (var update in updates)
        {
            RequireProfile(update.FieldPath, update.Request);
        }

        if (!_hazards.TryGetValue(hazardNumber, out var known))
        {
            throw DomainException.NotFound($"{updates[0].FieldPath}.name", $"hazard {new HazardKey(CreditCode, hazardNumber)} does not exist");
        }

        foreach (var update in updates)
        {
            RequireDecisionScope(known, update.Command, update.Request, update.FieldPath);
        }

        // One hazard write for all the updates, and one ledger write for the state they end in.
        var results = await Hazard(hazardNumber).ExecuteAll(updates);
        await Publish(results.MaxBy(h => h.Version)!);
        foreach (var _ in updates)
        {
            HazardGridMetrics.Write("lifecycle");
        }

        return results;
    }

    public async Task<FatalAccident> ReportFatalAccident(FatalAccidentReport report, WriteRequest request)
    {
        var profile = RequireProfile("parent", request);
        var now = clock.Now;
        var valid = report.Validate(now);
        var fingerprint = RequestFingerprint.Of(valid);
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
        await GrainFactory.Reference<ITownGrain>(profile.TownCode).ApplyFatalAccident(accident);
        await Province.ReceiveDirectReport(new DirectReport(
            accident.Id, DirectReportKind.FatalAccident, CreditCode, profile.Name, profile.TownCode, accident.OccurredAt, accident.ReportedAt, accident.Deaths, accident.Description, profile.Sectors));
        HazardGridMetrics.Write("accident");
        return accident;
    }

    public async Task Escalate(int hazardNumber, EscalationStep step, DateTimeOffset dueAt)
    {
        if (!_hazards.TryGetValue(hazardNumber, out var before) || state.State.Profile is not { } profile)
        {
            return;
        }

        // A deterministic request id: a repeated tick for the same step and due time replays.
        var request = new WriteRequest($"ladder/{step}/{dueAt.UtcTicks}", EscalationTrigger);
        var hazard = await Hazard(hazardNumber).Execute(new FireEscalation(step, dueAt, Addressees(profile)), request);
        if (hazard.Version == before.Version)
        {
            return; // no longer due: nothing fired
        }

        await Publish(hazard);
        foreach (var fired in hazard.Escalations.Where(e => before.Escalations.All(b => b.Step != e.Step)))
        {
            HazardGridMetrics.Escalation(fired.Step.ToString());
        }
    }

    private async Task<HazardReportOutcome> Replay(int number, bool created, HazardRegistration registration, WriteRequest request)
    {
        // Ask the hazard again under the same request id: it answers with its first result.
        var hazard = created
            ? await Hazard(number).Register(registration, request)
            : await Hazard(number).RecordRepeatReport(registration.Report, request);
        await Publish(hazard);
        return new HazardReportOutcome(hazard, created);
    }

    private void Index(HazardIndexEntry entry)
    {
        _hazards[entry.Hazard.Number] = entry.Hazard;
        foreach (var report in entry.Reports)
        {
            _reports[report.RequestId] = (entry.Hazard.Number, report);
        }
    }

    /// <summary>Hands a hazard's new facts to the town ledger (durable) and to this enterprise's figures.</summary>
    private async Task Publish(MajorHazard hazard)
    {
        await GrainFactory.Reference<ITownGrain>(hazard.TownCode).ApplyHazardFacts([hazard.Facts]);
        if (!_hazards.TryGetValue(hazard.Number, out var known) || known.Version < hazard.Version)
        {
            _hazards[hazard.Number] = hazard;
        }
    }

    private ITownGrain Town(string townCode) => GrainFactory.Reference<ITownGrain>(townCode);

    private static DirectoryEntry DirectoryEntryOf(EnterpriseProfile profile) => new(profile.CreditCode, profile.Name, profile.Sectors);

    private static Addressees Addressees(EnterpriseProfile profile) => new(profile.Principal, profile.ActualController);

    private Enterprise View(EnterpriseState s, DateTimeOffset now) =>
        new(s.Profile!, HazardFigures.Count(_hazards.Values.Select(h => h.Facts), now, policy.WatchListOverdueHazards, s.FatalAccidents),
            s.RegisteredAt, s.UpdatedAt, [.. s.FatalAccidents]);

    private EnterpriseProfile RequireProfile(string field) =>
        state.State.Profile ?? throw DomainException.NotFound(field, $"enterprise {CreditCode} is not registered");

    /// <summary>The profile, for a write within the caller's scope. An enterprise that is not
    /// registered cannot be shown to be inside a scope smaller than the province: its caller is
    /// refused as out of scope (PERMISSION_DENIED), not told that it does not exist.</summary>
    private EnterpriseProfile RequireProfile(string field, WriteRequest request)
    {
        if (request.Scope is { } scope)
        {
            var town = state.State.Profile?.TownCode ?? regions.Root.Code;
            if (!scope.Covers(town))
            {
                throw scope.OutOfScope(field, $"enterprise {CreditCode}");
            }
        }

        return RequireProfile(field);
    }

    /// <summary>A supervisor's decision (extend a deadline, raise the level) only on a hazard
    /// supervised at or below the supervisor's own level, judged by the level before the write.
    /// Which roles may send which commands is the gateway's check; this one needs the hazard.</summary>
    private static void RequireDecisionScope(MajorHazard hazard, HazardCommand command, WriteRequest request, string field)
    {
        if (request.Scope is { } scope && command is ExtendDeadline or RaiseSupervisionLevel or DecideExtension or ReplanLadder)
        {
            scope.RequireDecision(hazard.SupervisionLevel, field);
            scope.RequireSector(hazard.Sector, field, $"hazard {hazard.Id}");
        }
    }

    private IRollupGrain Province => GrainFactory.Reference<IRollupGrain>(regions.Root.Code);

    private IMajorHazardGrain Hazard(int number) => GrainFactory.Reference<IMajorHazardGrain>(new HazardKey(CreditCode, number).ToString());

    // The enterprise's own writes also record how far its hazard numbers have gone.
    private Task Persist(EnterpriseState next) => state.WriteOrRollBackAsync(next with { LastHazardNumber = Math.Max(next.LastHazardNumber, _lastNumber) }, this);
}
