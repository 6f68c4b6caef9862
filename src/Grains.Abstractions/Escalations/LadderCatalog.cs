using System.Collections.Immutable;

namespace HazardGrid.Escalations;

/// <summary>
/// One version of the ladders ever in force (issue 11 part 4): numbered 1, 2, 3… in the order the
/// cluster first ran with them, with the canonical text they are recognised by
/// (<see cref="EscalationPolicy.LadderKey"/>) and the ladders themselves.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.LadderVersion")]
public sealed record LadderVersion(int Number, string Key, Ladder Default, ImmutableArray<Ladder> Overrides, DateTimeOffset FirstInForce);

/// <summary>
/// The catalog of every ladder version ever in force (key 0), persisted. A hazard records the
/// version it was listed under and climbs that ladder until a supervisor re-plans it; a policy
/// changed in configuration becomes a new version the first time a silo runs with it. Off every
/// hot path: each silo reads it once and again only when it meets a version it does not know.
/// </summary>
public interface ILadderCatalogGrain : IGrainWithIntegerKey
{
    /// <summary>Records <paramref name="ladders"/>' ladders as a version if no version has the same
    /// text, and answers every version (the given one's number is the one with its key).</summary>
    [Alias("Register")]
    Task<ImmutableArray<LadderVersion>> Register(EscalationPolicy ladders);

    [Alias("GetAll")]
    Task<ImmutableArray<LadderVersion>> GetAll();
}
