using System.Reflection;
using HazardGrid.Common;
using HazardGrid.Hazards;
using HazardGrid.Rollups;
using Xunit;

namespace HazardGrid.Tests.Domain;

/// <summary>
/// Every record that is stored or sent between grains names the serialization id of each member.
/// Left implicit, a record's ids follow its parameter order, and reordering parameters would make
/// stored state unreadable without a compiler error.
/// </summary>
public sealed class SerializationContractTests
{
    public static TheoryData<string> SerializedTypes()
    {
        var data = new TheoryData<string>();
        foreach (var type in Serialized())
        {
            data.Add(type.FullName!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SerializedTypes))]
    public void Every_member_of_a_serialized_type_has_a_pinned_id(string typeName)
    {
        var type = Serialized().Single(t => t.FullName == typeName);
        var members = type.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
            .Where(p => p.GetMethod is not null && p.SetMethod is not null && p.Name != "EqualityContract")
            .Cast<MemberInfo>()
            .Concat(type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(f => !f.Name.Contains("k__BackingField", StringComparison.Ordinal)))
            .ToList();

        var unpinned = members.Where(m => m.GetCustomAttribute<IdAttribute>() is null).Select(m => m.Name).ToList();
        Assert.True(unpinned.Count == 0, $"{type.Name} serializes {string.Join(", ", unpinned)} without an [Id]");
        var ids = members.Select(m => m.GetCustomAttribute<IdAttribute>()!.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void The_serialized_types_are_found()
    {
        var names = Serialized().Select(t => t.Name).ToList();
        Assert.Contains(nameof(HazardFacts), names);
        Assert.Contains(nameof(MajorHazard), names);
        Assert.Contains(nameof(TownLedgerState), names);
        Assert.Contains(nameof(HazardState), names);
    }

    private static IEnumerable<Type> Serialized() =>
        new[] { typeof(HazardFacts).Assembly, typeof(TownGrain).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t.GetCustomAttribute<GenerateSerializerAttribute>() is not null && !t.IsEnum && t != typeof(DomainException))
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
}
