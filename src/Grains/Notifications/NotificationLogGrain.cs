using System.Collections.Immutable;
using HazardGrid.Common;

namespace HazardGrid.Notifications;

[GenerateSerializer, Alias("hg.NotificationLogState")]
public sealed record NotificationLogState
{
    [Id(0)] public ImmutableList<Notification> Notifications { get; init; } = [];
}

/// <summary>
/// The notification records of one enterprise's responsible people, keyed by credit code. Kept
/// apart from the enterprise so the enterprise's own payload stays small as notices accumulate.
/// </summary>
public sealed class NotificationLogGrain(
    [PersistentState("notifications", StorageNames.Store)] IPersistentState<NotificationLogState> state) : Grain, INotificationLogGrain
{
    public async Task Record(ImmutableArray<Notification> notifications)
    {
        var current = state.State.Notifications;
        var known = current.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var fresh = notifications.Where(n => known.Add(n.Id)).ToList();
        if (fresh.Count == 0)
        {
            return;
        }

        await state.WriteOrRollBackAsync(state.State with { Notifications = current.AddRange(fresh) }, this);
    }

    public Task<ImmutableArray<Notification>> List() => Task.FromResult<ImmutableArray<Notification>>([.. state.State.Notifications]);
}
