using System.Collections.Immutable;
using HazardGrid.Common;
using HazardGrid.Escalations;
using HazardGrid.Notifications;
using HazardGrid.Regions;

namespace HazardGrid.Hazards;

/// <summary>The persisted state of one hazard: the record, its audit trail, its recent requests and
/// the notification records it produced.</summary>
[GenerateSerializer, Alias("hg.HazardState")]
public sealed record HazardState
{
    [Id(0)] public MajorHazard? Hazard { get; init; }
    [Id(1)] public ImmutableList<TrailEntry> Trail { get; init; } = [];
    [Id(2)] public RecentRequests<MajorHazard> Requests { get; init; } = RecentRequests<MajorHazard>.Empty;
    [Id(3)] public ImmutableList<Notification> Notifications { get; init; } = [];

    /// <summary>Every report this hazard answered (the first, and repeats of the same finding), for
    /// its enterprise's report index. Null in state stored before it existed: see <see cref="AnsweredReports"/>.</summary>
    [Id(4)] public ImmutableList<AnsweredReport>? Reports { get; init; }

    /// <summary>
    /// The reports this hazard answered. State stored before <see cref="Reports"/> existed marked
    /// them by the start of their request fingerprint instead ("report|" for the first report,
    /// "again|report|" for repeats); those are read as such.
    /// </summary>
    public IEnumerable<AnsweredReport> AnsweredReports => Reports ?? [.. Requests.Entries
        .Where(e => e.Fingerprint.StartsWith("report|", StringComparison.Ordinal) || e.Fingerprint.StartsWith("again|", StringComparison.Ordinal))
        .Select(e => new AnsweredReport(e.RequestId, e.Fingerprint, e.Fingerprint.StartsWith("report|", StringComparison.Ordinal)))];
}

/// <summary>
/// One major hazard record (重大事故隐患), keyed by <c>{credit code}/{number}</c>. Applies the
/// lifecycle rules of <see cref="HazardLifecycle"/>, appends to the trail and persists before
/// answering. A request id seen before returns the result it produced then.
/// <para>The notices a change calls for (a new hazard, a ladder step) are part of the same write,
/// so a hazard can never be registered or escalated without its notification records, and a
/// report costs one durable write here.</para>
/// <para>Deactivated after an idle minute, like its enterprise: hundreds of thousands of records,
/// each touched rarely.</para>
/// </summary>
[CollectionAgeLimit(Minutes = 1)]
public sealed class MajorHazardGrain(
    [PersistentState("hazard", StorageNames.Store)] IPersistentState<HazardState> state,
    DomainClock clock,
    LadderBook ladders,
    RegionCatalog regions,
    NoticeSender sender) : Grain, IMajorHazardGrain
{
    private HazardNoticeDispatch? _dispatch;

    /// <summary>Sends the notices (when a delivery webhook is configured); see <see cref="HazardNoticeDispatch"/>.</summary>
    private HazardNoticeDispatch Notices => _dispatch ??= new(this, state, sender, clock);

    public async Task<MajorHazard> Register(HazardRegistration registration, WriteRequest request)
    {
        // Listed under the ladder in force now, which the hazard keeps (issue 11 part 4).
        var ladderVersion = await ladders.CurrentVersion();
        return await Write(request, RequestFingerprint.Of(registration.Report), hazard =>
        {
            if (hazard is not null)
            {
                // The enterprise numbers hazards from what its hazards hold, so this only happens if
                // a number was handed out twice: refuse rather than overwrite a record.
                throw DomainException.Precondition("name", $"hazard {hazard.Id} is already registered");
            }

            var (registered, entry) = HazardLifecycle.Register(this.GetPrimaryKeyString(), registration, request, clock.Now, ladderVersion);
            return (registered, entry);
        },
        (_, registered) => HazardNotices.NewHazard(registered, registration.Addressees),
        reportCreated: true);
    }

    public Task<MajorHazard> RecordRepeatReport(HazardReport report, WriteRequest request) =>
        Write(request, RequestFingerprint.Of(report), hazard =>
        {
            var (again, entry) = HazardLifecycle.ReportAgain(Existing(hazard), report.Channel, request, clock.Now);
            return (again, entry);
        },
        reportCreated: false);

    public async Task<MajorHazard> Execute(HazardCommand command, WriteRequest request)
    {
        var current = await KnowLadder();
        return await Write(request, RequestFingerprint.Of(command), hazard => Apply(Existing(hazard), command, request, current), NoticesOf(command));
    }

    public async Task<ImmutableArray<MajorHazard>> ExecuteAll(ImmutableArray<HazardUpdate> updates)
    {
        var ladderInForce = await KnowLadder();
        // Each update applies to the state the previous one left; only the end state is written,
        // so a refusal anywhere stores nothing (and names the refused update's field).
        var stored = state.State;
        var current = stored;
        var results = ImmutableArray.CreateBuilder<MajorHazard>(updates.Length);
        foreach (var update in updates)
        {
            try
            {
                var command = update.Command;
                var (next, result) = Step(current, update.Request, RequestFingerprint.Of(command), hazard => Apply(Existing(hazard), command, update.Request, ladderInForce), NoticesOf(command));
                current = next;
                results.Add(result);
            }
            catch (DomainException refused)
            {
                throw new DomainException(refused.Kind, $"{update.FieldPath}.{refused.Field}", refused.Reason);
            }
        }

        if (!ReferenceEquals(current, stored))
        {
            await state.WriteOrRollBackAsync(current, this);
        }

        await Notices.AfterWrite();
        return results.MoveToImmutable();
    }

    public async Task<HazardWithTrail> Get()
    {
        var hazard = Existing(state.State.Hazard);
        await ladders.Ensure([hazard.LadderVersion]);
        var next = ladders.For(hazard.LadderVersion).NextRung(hazard.Facts);
        return new HazardWithTrail(hazard, [.. state.State.Trail], new LadderState(next?.Rung.Step, next?.DueAt, next?.Provisional ?? false));
    }

    /// <summary>Makes sure this silo knows the hazard's ladder version; answers the version in force.</summary>
    private async Task<int> KnowLadder()
    {
        var current = await ladders.CurrentVersion();
        if (state.State.Hazard is { } hazard)
        {
            await ladders.Ensure([hazard.LadderVersion]);
        }

        return current;
    }

    /// <summary>A lifecycle command on the hazard's own ladder (the version it is listed under).</summary>
    private (MajorHazard, TrailEntry?) Apply(MajorHazard hazard, HazardCommand command, WriteRequest request, int currentLadderVersion) =>
        HazardLifecycle.Apply(hazard, command, request, clock.Now, ladders.For(hazard.LadderVersion), currentLadderVersion);

    public Task<HazardIndexEntry?> Find()
    {
        if (state.State.Hazard is not { } hazard)
        {
            return Task.FromResult<HazardIndexEntry?>(null);
        }

        return Task.FromResult<HazardIndexEntry?>(new HazardIndexEntry(hazard, [.. state.State.AnsweredReports]));
    }

    public Task<ImmutableArray<Notification>> GetNotifications() => Task.FromResult<ImmutableArray<Notification>>([.. state.State.Notifications]);

    public Task ResumeNoticeDelivery() => Notices.Resume();

    public Task RecordNoticeAttempts(ImmutableArray<NoticeAttempt> attempts) => Notices.RecordAttempts(attempts);

    public Task<Notification> RecordNoticeReceipt(NoticeReceipt receipt, WriteScope? scope) => Notices.RecordReceipt(receipt, scope, regions.Root.Code);

    private async Task<MajorHazard> Write(
        WriteRequest request,
        string fingerprint,
        Func<MajorHazard?, (MajorHazard Hazard, TrailEntry? Entry)> change,
        Func<MajorHazard?, MajorHazard, IEnumerable<Notification>>? notices = null,
        bool? reportCreated = null)
    {
        var (next, result) = Step(state.State, request, fingerprint, change, notices, reportCreated);
        if (!ReferenceEquals(next, state.State))
        {
            await state.WriteOrRollBackAsync(next, this);
        }

        await Notices.AfterWrite();
        return result;
    }

    /// <summary>
    /// One change as a pure step: the next state (the same instance if nothing changes) and the
    /// answer. A request id seen before answers with its first result; a change with no trail
    /// entry (a ladder step no longer due) changes nothing. A report (<paramref name="reportCreated"/>
    /// set) is also added to the hazard's answered reports.
    /// </summary>
    private (HazardState Next, MajorHazard Result) Step(
        HazardState current,
        WriteRequest request,
        string fingerprint,
        Func<MajorHazard?, (MajorHazard Hazard, TrailEntry? Entry)> change,
        Func<MajorHazard?, MajorHazard, IEnumerable<Notification>>? notices,
        bool? reportCreated = null)
    {
        if (current.Requests.Find(request.RequestId, fingerprint) is { } earlier)
        {
            return (current, earlier.Outcome);
        }

        var (hazard, entry) = change(current.Hazard);
        if (entry is null)
        {
            return (current, hazard);
        }

        var known = current.Notifications.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var fresh = notices?.Invoke(current.Hazard, hazard).Where(n => known.Add(n.Id)).ToList() ?? [];
        var next = current with
        {
            Hazard = hazard,
            Trail = current.Trail.Add(entry),
            Requests = current.Requests.Add(new RecordedRequest<MajorHazard>(request.RequestId, fingerprint, hazard)),
            Notifications = current.Notifications.AddRange(NoticeOutbox.Outgoing(fresh, sender.Enabled)),
            Reports = reportCreated is { } created ? [.. current.AnsweredReports, new AnsweredReport(request.RequestId, fingerprint, created)] : current.Reports,
        };
        return (next, hazard);
    }

    /// <summary>The notices a command calls for: a ladder step tells the people it concerns.</summary>
    private Func<MajorHazard?, MajorHazard, IEnumerable<Notification>>? NoticesOf(HazardCommand command) =>
        command is FireEscalation fire
            ? (before, after) => after.Escalations
                .Where(e => before is null || before.Escalations.All(b => b.Step != e.Step))
                .SelectMany(e => HazardNotices.Escalation(after, e, fire.Addressees, regions))
            : null;

    private MajorHazard Existing(MajorHazard? hazard) =>
        hazard ?? throw DomainException.NotFound("name", $"hazard {this.GetPrimaryKeyString()} does not exist");
}
