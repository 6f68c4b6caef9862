namespace HazardGrid.Escalations;

public enum DirectReportKind
{
    /// <summary>A new major hazard, reported to the province at once besides the level-by-level path (004 “直报”).</summary>
    NewMajorHazard = 1,

    /// <summary>A fatal accident: the directive allows 30 minutes to reach the province (004).</summary>
    FatalAccident = 2,
}

/// <summary>What reaches the province directly, ahead of the batched figures.</summary>
[GenerateSerializer, Immutable, Alias("hg.DirectReport")]
public sealed record DirectReport(
    [property: Id(0)] string Id,
    [property: Id(1)] DirectReportKind Kind,
    [property: Id(2)] string CreditCode,
    [property: Id(3)] string EnterpriseName,
    [property: Id(4)] string TownCode,
    [property: Id(5)] DateTimeOffset OccurredAt,
    [property: Id(6)] DateTimeOffset ReceivedAt,
    [property: Id(7)] int Deaths,
    [property: Id(8)] string Summary);
