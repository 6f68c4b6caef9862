using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Escalations;
using HazardGrid.Hazards;
using HazardGrid.Rollups;
using Xunit;

namespace HazardGrid.Tests.Domain;

public sealed class HazardFiguresTests
{
    private static readonly DateTimeOffset s_now = new(2025, 6, 20, 12, 0, 0, ChinaTime.Offset);

    private static HazardFacts Fact(HazardStatus status, Sector sector, DateTimeOffset found, DateTimeOffset? deadline = null, DateTimeOffset? closed = null) =>
        new(Guid.NewGuid().ToString(), 1, "914403001922038216", "370406001", sector, status, found, deadline, closed, SupervisionLevel.County, []);

    [Fact]
    public void Counting_splits_by_status_overdue_stock_month_and_sector()
    {
        var stock = new DateTimeOffset(2023, 12, 31, 23, 59, 0, ChinaTime.Offset);
        var increment = new DateTimeOffset(2024, 1, 1, 0, 0, 0, ChinaTime.Offset);
        var facts = new[]
        {
            Fact(HazardStatus.Registered, Sector.Chemicals, stock),
            Fact(HazardStatus.Rectifying, Sector.Chemicals, increment, deadline: s_now.AddDays(-1)),  // overdue
            Fact(HazardStatus.Rectifying, Sector.Gas, increment, deadline: s_now.AddDays(1)),
            Fact(HazardStatus.AwaitingVerification, Sector.Gas, stock, deadline: s_now.AddDays(-3)),  // done its part: not overdue
            Fact(HazardStatus.Closed, Sector.Gas, stock, closed: new DateTimeOffset(2025, 6, 1, 0, 0, 0, ChinaTime.Offset)),
            Fact(HazardStatus.Closed, Sector.Chemicals, increment, closed: new DateTimeOffset(2025, 5, 31, 23, 0, 0, ChinaTime.Offset)),
            Fact(HazardStatus.Withdrawn, Sector.Chemicals, increment),
            Fact(HazardStatus.Invalid, Sector.Fireworks, increment),
        };

        var f = HazardFigures.Count(facts, s_now);

        Assert.Equal(new HazardFigures(1, 2, 1, 2, 1, 1, 1, 1, 2, 2, 1, 1,
            [new SectorFigures(Sector.Chemicals, 2, 1, 1), new SectorFigures(Sector.Gas, 2, 0, 1)],
            Additive<EscalationFigures>.Zero with { AtCountyLevel = 4 }), f);
        Assert.Equal(4, f.Open);
    }

    [Fact]
    public void Figures_of_parts_add_up_to_the_figures_of_the_whole()
    {
        var random = new Random(7);
        var facts = Enumerable.Range(0, 200).Select(_ => Fact(
            (HazardStatus)random.Next(1, 7),
            (Sector)random.Next(1, 15),
            s_now.AddDays(-random.Next(1000)),
            s_now.AddDays(random.Next(-30, 30)),
            s_now.AddDays(-random.Next(60)))).ToList();

        var whole = HazardFigures.Count(facts, s_now);
        var parts = facts.Chunk(17).Select(chunk => HazardFigures.Count(chunk, s_now));

        Assert.Equal(whole, HazardFigures.Sum(parts));
    }

    [Fact]
    public void The_next_change_is_the_nearest_deadline_or_the_turn_of_the_month()
    {
        var soon = s_now.AddHours(5);
        Assert.Equal(soon.AddTicks(1), HazardFigures.NextChange([Fact(HazardStatus.Rectifying, Sector.Gas, s_now, deadline: soon)], s_now));
        Assert.Equal(
            new DateTimeOffset(2025, 7, 1, 0, 0, 0, ChinaTime.Offset),
            HazardFigures.NextChange([Fact(HazardStatus.Closed, Sector.Gas, s_now, closed: s_now.AddDays(-1))], s_now));
        Assert.Null(HazardFigures.NextChange([Fact(HazardStatus.Registered, Sector.Gas, s_now)], s_now));
    }
}
