using HazardGrid.Circulars;
using HazardGrid.Common;
using HazardGrid.Regions;
using HazardGrid.Statistics;
using Xunit;

namespace HazardGrid.Tests.Circular;

/// <summary>The circular's ranking on its own: worst first by overdue share, then closure rate,
/// ties by exact ratio (not by how doubles round) sharing a rank.</summary>
public sealed class CircularRankTests
{
    private static Region Town(int n) => new($"37040600{n}", $"镇{n}", RegionLevel.Town, "370406");

    private static PeriodFigures Figures(int closed, int open, int overdue) =>
        new(Additive<PeriodCounts>.Zero with { Closed = closed, OpenAtEnd = open, OverdueAtEnd = overdue }, ClosureDays.None);

    [Fact]
    public void Children_are_ranked_by_overdue_share_then_closure_rate_and_equal_ratios_share_a_rank()
    {
        var ranked = CircularRank.Of(
        [
            (Town(1), Figures(closed: 5, open: 0, overdue: 0)), // share 0, rate 1
            (Town(2), Figures(closed: 0, open: 3, overdue: 1)), // share 1/3, rate 0
            (Town(3), Figures(closed: 1, open: 6, overdue: 2)), // share 1/3 (2/6), rate 1/7
            (Town(4), Figures(closed: 0, open: 2, overdue: 2)), // share 1
            (Town(5), Figures(closed: 0, open: 0, overdue: 0)), // nothing to do: share 0, rate 1
            (Town(6), Figures(closed: 0, open: 6, overdue: 2)), // share 1/3, rate 0: ties with town 2
        ]);

        Assert.Equal(
            [("370406004", 1), ("370406002", 2), ("370406006", 2), ("370406003", 4), ("370406001", 5), ("370406005", 5)],
            ranked.Select(r => (r.Region.Code, r.Rank)));
        Assert.Equal(1.0 / 3, ranked.Single(r => r.Region.Code == "370406003").OverdueShare);
        Assert.Equal(0, ranked.Single(r => r.Region.Code == "370406005").OverdueShare);
    }

    [Fact]
    public void A_town_has_no_children_to_rank() => Assert.Empty(CircularRank.Of([]));
}
