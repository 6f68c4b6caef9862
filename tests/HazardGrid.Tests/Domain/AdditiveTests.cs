using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Rollups;
using Xunit;

namespace HazardGrid.Tests.Domain;

/// <summary>Figures are added, zeroed and compared from their members alone: a new figure needs no code of its own.</summary>
public sealed class AdditiveTests
{
    [Fact]
    public void Adding_figures_adds_every_count_and_merges_sectors_by_sector()
    {
        var a = Numbered(1) with { BySector = [new SectorFigures(Sector.Gas, 1, 2, 3), new SectorFigures(Sector.Chemicals, 4, 5, 6)] };
        var b = Numbered(100) with { BySector = [new SectorFigures(Sector.Chemicals, 10, 20, 30)] };

        var sum = HazardFigures.Sum([a, b]);

        // Every int member, nested ones included, is the sum of the two sides.
        foreach (var (name, value) in Counts(sum))
        {
            Assert.Equal(Counts(a)[name] + Counts(b)[name], value);
        }

        Assert.Equal([new SectorFigures(Sector.Chemicals, 14, 25, 36), new SectorFigures(Sector.Gas, 1, 2, 3)], sum.BySector);
    }

    [Fact]
    public void Zero_is_the_identity_and_equal_figures_are_equal()
    {
        var figures = Numbered(7) with { BySector = [new SectorFigures(Sector.Gas, 1, 1, 1)] };
        var copy = Numbered(7) with { BySector = [new SectorFigures(Sector.Gas, 1, 1, 1)] };

        Assert.Equal(figures, HazardFigures.Sum([HazardFigures.Zero, figures]));
        Assert.Equal(figures, copy);
        Assert.Equal(figures.GetHashCode(), copy.GetHashCode());
        Assert.NotEqual(figures, copy with { BySector = [new SectorFigures(Sector.Gas, 1, 1, 2)] });
        Assert.NotEqual(figures, copy with { Escalations = copy.Escalations with { Exposed = 99 } });
        Assert.All(Counts(HazardFigures.Zero), c => Assert.Equal(0L, c.Value));
    }

    /// <summary>Figures whose every count is distinct, from <paramref name="start"/> up.</summary>
    private static HazardFigures Numbered(int start)
    {
        var next = start;
        object Make(Type type)
        {
            var constructor = type.GetConstructors().MaxBy(c => c.GetParameters().Length)!;
            return constructor.Invoke([.. constructor.GetParameters().Select(p =>
                p.ParameterType == typeof(int) ? next++
                : p.ParameterType == typeof(long) ? (long)next++
                : p.ParameterType == typeof(EquatableArray<SectorFigures>) ? EquatableArray<SectorFigures>.Empty
                : Make(p.ParameterType))]);
        }

        return (HazardFigures)Make(typeof(HazardFigures));
    }

    private static Dictionary<string, long> Counts(object figures) =>
        figures.GetType().GetConstructors().MaxBy(c => c.GetParameters().Length)!.GetParameters()
            .SelectMany(p =>
            {
                var value = figures.GetType().GetProperty(p.Name!)!.GetValue(figures)!;
                return value switch
                {
                    int i => [KeyValuePair.Create(p.Name!, (long)i)],
                    long l => [KeyValuePair.Create(p.Name!, l)],
                    EscalationFigures e => Counts(e).Select(c => KeyValuePair.Create($"{p.Name}.{c.Key}", c.Value)),
                    _ => [],
                };
            })
            .ToDictionary();
}
