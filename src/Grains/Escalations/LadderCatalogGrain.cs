using System.Collections.Immutable;
using HazardGrid.Common;

namespace HazardGrid.Escalations;

[GenerateSerializer, Alias("hg.LadderCatalogState")]
public sealed record LadderCatalogState
{
    [Id(0)] public ImmutableList<LadderVersion> Versions { get; init; } = [];
}

/// <summary>The persisted catalog of ladder versions (see <see cref="ILadderCatalogGrain"/>).</summary>
public sealed class LadderCatalogGrain(
    [PersistentState("ladders", StorageNames.Store)] IPersistentState<LadderCatalogState> state,
    DomainClock clock) : Grain, ILadderCatalogGrain
{
    public async Task<ImmutableArray<LadderVersion>> Register(EscalationPolicy ladders)
    {
        var key = ladders.LadderKey;
        if (state.State.Versions.All(v => v.Key != key))
        {
            var version = new LadderVersion(state.State.Versions.Count + 1, key, ladders.Default, ladders.Overrides, clock.Now);
            await state.WriteOrRollBackAsync(state.State with { Versions = state.State.Versions.Add(version) }, this);
        }

        return [.. state.State.Versions];
    }

    public Task<ImmutableArray<LadderVersion>> GetAll() => Task.FromResult<ImmutableArray<LadderVersion>>([.. state.State.Versions]);
}
