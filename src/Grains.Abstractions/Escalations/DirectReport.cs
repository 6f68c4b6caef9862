namespace HazardGrid.Escalations;

public enum DirectReportKind
{
    /// <summary>A new major hazard, reported to the province at once besides the level-by-level path (004 “直报”).</summary>
    NewMajorHazard = 1,

    /// <summary>A fatal accident: the directive allows 30 minutes to reach the province (004).</summary>
    FatalAccident = 2,
}

/// <summary>What reaches the province directly, ahead of the batched figures. <see cref="Sectors"/>
/// (appended later): the hazard's sector, or the enterprise's sectors for an accident; a sector
/// office's feed shows only the reports of its sectors (default: none, for reports made before).</summary>
[GenerateSerializer, Immutable, Alias("hg.DirectReport")]
public sealed record DirectReport(
    string Id,
    DirectReportKind Kind,
    string CreditCode,
    string EnterpriseName,
    string TownCode,
    DateTimeOffset OccurredAt,
    DateTimeOffset ReceivedAt,
    int Deaths,
    string Summary,
    System.Collections.Immutable.ImmutableArray<Enterprises.Sector> Sectors = default);
