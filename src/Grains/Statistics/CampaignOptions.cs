using HazardGrid.Common;

namespace HazardGrid.Statistics;

/// <summary>The three-year campaign as configured (<c>HazardGrid:Campaign</c>).</summary>
public sealed class CampaignOptions
{
    public const string Section = "HazardGrid:Campaign";

    /// <summary>
    /// The campaign's first day (China calendar): hazards found before its 00:00 +08:00 and still
    /// open then are the stock the first target clears. 2024-01-01 by default, following 001's
    /// "found in 2023 or earlier".
    /// </summary>
    public DateOnly Start { get; set; } = new(2024, 1, 1);

    public DateTimeOffset StartInstant => new(Start.ToDateTime(TimeOnly.MinValue), ChinaTime.Offset);
}
