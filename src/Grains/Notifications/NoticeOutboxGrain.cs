using System.Collections.Immutable;
using HazardGrid.Common;
using HazardGrid.Hazards;
using Microsoft.Extensions.Options;

namespace HazardGrid.Notifications;

/// <summary>The hazards of a town with notices still to send.</summary>
[GenerateSerializer, Alias("hg.NoticeOutboxState")]
public sealed record NoticeOutboxState
{
    [Id(0)] public ImmutableSortedSet<string> Hazards { get; init; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);
}

/// <summary>
/// A town's notice outbox (<see cref="INoticeOutboxGrain"/>). While it lists hazards it stays
/// active and wakes each of them every <see cref="NoticeWebhookOptions.ResumePeriod"/> (one-way, so it
/// never waits on a hazard); a hazard that is already sending ignores the wake-up, one whose
/// activation was lost resumes. Empty, it goes idle. Normally it lists only the few hazards whose
/// notices are in flight, so its state is small; a long gateway outage lists at most a town's
/// hazards with new notices, until they are dead-lettered.
/// </summary>
[CollectionAgeLimit(Minutes = 1)]
public sealed class NoticeOutboxGrain(
    [PersistentState("notice-outbox", StorageNames.Store)] IPersistentState<NoticeOutboxState> state,
    IOptions<NoticeWebhookOptions> options) : Grain, INoticeOutboxGrain
{
    private IGrainTimer? _timer;

    public async Task Expect(string hazardId)
    {
        if (!state.State.Hazards.Contains(hazardId))
        {
            await state.WriteOrRollBackAsync(state.State with { Hazards = state.State.Hazards.Add(hazardId) }, this);
        }

        Arm(options.Value.ResumePeriod);
    }

    public async Task Settled(string hazardId)
    {
        if (state.State.Hazards.Contains(hazardId))
        {
            await state.WriteOrRollBackAsync(state.State with { Hazards = state.State.Hazards.Remove(hazardId) }, this);
        }

        if (state.State.Hazards.IsEmpty)
        {
            _timer?.Dispose();
            _timer = null;
            DeactivateOnIdle();
        }
    }

    public Task Wake()
    {
        if (state.State.Hazards.IsEmpty)
        {
            DeactivateOnIdle();
        }
        else
        {
            Arm(TimeSpan.Zero);
        }

        return Task.CompletedTask;
    }

    private void Arm(TimeSpan due)
    {
        if (_timer is null || due == TimeSpan.Zero)
        {
            _timer?.Dispose();
            _timer = this.RegisterGrainTimer(WakeHazards, new GrainTimerCreationOptions(due, options.Value.ResumePeriod) { KeepAlive = true });
        }
    }

    private Task WakeHazards()
    {
        foreach (var hazard in state.State.Hazards)
        {
            _ = GrainFactory.Reference<IMajorHazardGrain>(hazard).ResumeNoticeDelivery();
        }

        return Task.CompletedTask;
    }
}
