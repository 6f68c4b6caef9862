using System.Collections.Immutable;
using System.Reflection;
using HazardGrid.Queries;
using Xunit;

namespace HazardGrid.Tests.Queries;

/// <summary>
/// The cells count only status × sector × supervision level × stock. Any other filter member —
/// including one added later, like the disclosure feed's ClosedWithin, which the cells once
/// ignored — must make them decline (null), so that the index tests each hazard instead.
/// </summary>
public sealed class HazardCellCountsTests
{
    private static readonly string[] CellDimensions = [nameof(HazardFilter.Statuses), nameof(HazardFilter.Sectors), nameof(HazardFilter.Levels), nameof(HazardFilter.Stock)];

    public static TheoryData<string> OtherMembers()
    {
        var data = new TheoryData<string>();
        foreach (var p in typeof(HazardFilter).GetConstructors().Single(c => c.GetParameters().Length > 1).GetParameters())
        {
            if (!CellDimensions.Contains(p.Name))
            {
                data.Add(p.Name!);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(OtherMembers))]
    public void A_filter_member_the_cells_do_not_hold_makes_them_decline(string member)
    {
        var cells = new HazardCellCounts();
        var county = new HazardListScope("370406", null);
        Assert.NotNull(cells.Count(county, HazardFilter.All));

        var filter = Set(HazardFilter.All, member);
        Assert.NotEqual(HazardFilter.All, filter);
        Assert.Null(cells.Count(county, filter));
    }

    /// <summary>The filter with <paramref name="member"/> given some value (through the record's
    /// copy: its properties are init-only).</summary>
    private static HazardFilter Set(HazardFilter filter, string member)
    {
        var property = typeof(HazardFilter).GetProperty(member, BindingFlags.Public | BindingFlags.Instance)!;
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        object value = type switch
        {
            _ when type == typeof(bool) => true,
            _ when type == typeof(DateTimeOffset) => DateTimeOffset.UnixEpoch,
            _ when type == typeof(TimeSpan) => TimeSpan.FromDays(90),
            _ when type.IsEnum => Enum.GetValues(type).GetValue(Enum.GetValues(type).Length - 1)!,
            _ when type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ImmutableArray<>) =>
                typeof(ImmutableArray).GetMethods().First(m => m.Name == nameof(ImmutableArray.Create) && m.GetParameters().Length == 1 && !m.GetParameters()[0].ParameterType.IsArray && !m.GetParameters()[0].ParameterType.IsGenericType)
                    .MakeGenericMethod(type.GetGenericArguments()[0])
                    .Invoke(null, [Enum.GetValues(type.GetGenericArguments()[0]).GetValue(1)])!,
            _ => throw new InvalidOperationException($"the test does not know how to set {member} ({type}); teach it"),
        };

        var copy = (HazardFilter)typeof(HazardFilter).GetMethod("<Clone>$")!.Invoke(filter, null)!;
        property.SetValue(copy, value); // an init accessor is a setter to reflection
        return copy;
    }
}
