using System.Collections.Immutable;
using HazardGrid.Common;
using HazardGrid.Escalations;

namespace HazardGrid.Hazards;

/// <summary>The persisted state of one hazard: the record, its audit trail and its recent requests.</summary>
[GenerateSerializer, Alias("hg.HazardState")]
public sealed record HazardState
{
    [Id(0)] public MajorHazard? Hazard { get; init; }
    [Id(1)] public ImmutableList<TrailEntry> Trail { get; init; } = [];
    [Id(2)] public RecentRequests<MajorHazard> Requests { get; init; } = RecentRequests<MajorHazard>.Empty;
}

/// <summary>
/// One major hazard record (重大事故隐患), keyed by <c>{credit code}/{number}</c>. Applies the
/// lifecycle rules of <see cref="HazardLifecycle"/>, appends to the trail and persists before
/// answering. A request id seen before returns the result it produced then.
/// </summary>
public sealed class MajorHazardGrain(
    [PersistentState("hazard", StorageNames.Store)] IPersistentState<HazardState> state,
    DomainClock clock,
    EscalationPolicy policy) : Grain, IMajorHazardGrain
{
    public Task<MajorHazard> Register(HazardRegistration registration, WriteRequest request) =>
        Write(request, $"register|{registration.Report.FindingKey}", hazard =>
        {
            if (hazard is not null)
            {
                // The enterprise allocates numbers and persists the allocation first, so this
                // only happens if its state was lost: refuse rather than overwrite a record.
                throw DomainException.Precondition("name", $"hazard {hazard.Id} is already registered");
            }

            var (registered, entry) = HazardLifecycle.Register(this.GetPrimaryKeyString(), registration, request, clock.Now);
            return (registered, entry);
        });

    public Task<MajorHazard> RecordRepeatReport(ReportChannel channel, WriteRequest request) =>
        Write(request, $"again|{channel}", hazard =>
        {
            var (again, entry) = HazardLifecycle.ReportAgain(Existing(hazard), channel, request, clock.Now);
            return (again, entry);
        });

    public Task<MajorHazard> Execute(HazardCommand command, WriteRequest request) =>
        Write(request, command.Fingerprint, hazard => HazardLifecycle.Apply(Existing(hazard), command, request, clock.Now, policy));

    public Task<HazardWithTrail> Get()
    {
        var hazard = Existing(state.State.Hazard);
        var next = hazard.Facts.NextEscalation(policy);
        return Task.FromResult(new HazardWithTrail(hazard, [.. state.State.Trail], new LadderState(next?.Rung.Step, next?.DueAt)));
    }

    public Task<MajorHazard?> Find() => Task.FromResult(state.State.Hazard);

    private async Task<MajorHazard> Write(WriteRequest request, string fingerprint, Func<MajorHazard?, (MajorHazard Hazard, TrailEntry? Entry)> change)
    {
        var current = state.State;
        if (current.Requests.Find(request.RequestId, fingerprint) is { } earlier)
        {
            return earlier.Outcome;
        }

        var (hazard, entry) = change(current.Hazard);
        if (entry is null)
        {
            return hazard; // nothing changed, so nothing to store or remember
        }

        await state.WriteOrRollBackAsync(
            current with
            {
                Hazard = hazard,
                Trail = current.Trail.Add(entry),
                Requests = current.Requests.Add(new RecordedRequest<MajorHazard>(request.RequestId, fingerprint, hazard)),
            },
            this);
        return hazard;
    }

    private MajorHazard Existing(MajorHazard? hazard) =>
        hazard ?? throw DomainException.NotFound("name", $"hazard {this.GetPrimaryKeyString()} does not exist");
}
