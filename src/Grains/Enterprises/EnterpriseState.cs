using System.Collections.Immutable;
using HazardGrid.Accidents;
using HazardGrid.Common;

namespace HazardGrid.Enterprises;

/// <summary>The persisted state of an enterprise. Its hazards' figures and report index are not
/// persisted here: they are rebuilt from the hazards themselves when the grain activates, so a
/// hazard report costs no write of the enterprise.</summary>
[GenerateSerializer, Alias("hg.EnterpriseState")]
public sealed record EnterpriseState
{
    [Id(0)] public EnterpriseProfile? Profile { get; init; }
    [Id(1)] public DateTimeOffset RegisteredAt { get; init; }
    [Id(2)] public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>A lower bound on the hazard numbers in use, stored with the enterprise's own writes;
    /// activation looks beyond it for numbers handed out since.</summary>
    [Id(3)] public int LastHazardNumber { get; init; }
    [Id(5)] public RecentRequests<Enterprise> Registrations { get; init; } = RecentRequests<Enterprise>.Empty;
    [Id(6)] public ImmutableList<FatalAccident> FatalAccidents { get; init; } = [];
    [Id(7)] public RecentRequests<FatalAccident> AccidentReports { get; init; } = RecentRequests<FatalAccident>.Empty;

    /// <summary>Whether the town's enterprise directory has this enterprise's profile. False in
    /// states stored before towns kept a directory: such an enterprise announces itself when it
    /// next activates.</summary>
    [Id(8)] public bool InDirectory { get; init; }
}
