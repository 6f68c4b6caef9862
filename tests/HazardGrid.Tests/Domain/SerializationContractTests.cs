using System.Reflection;
using System.Text;
using HazardGrid.Hazards;
using HazardGrid.Rollups;
using Xunit;

namespace HazardGrid.Tests.Domain;

/// <summary>
/// Pins the serialization ids of every record that is stored or sent between grains. A positional
/// record's members take their ids from their order in the primary constructor (implicitly: marking
/// them [Id] would change the wire layout and make every stored record unreadable, see
/// Compatibility/OldStoreTests), so the ids are pinned here instead: the committed contract lists
/// each type's members with their ids, and any reorder, removal or change of type fails.
/// </summary>
public sealed class SerializationContractTests
{
    private static readonly string s_contractFile = Path.Combine(AppContext.BaseDirectory, "Domain", "serialization-contract.txt");

    [Fact]
    public void Every_serialized_record_keeps_the_ids_of_its_members()
    {
        var current = Contract();
        if (Environment.GetEnvironmentVariable("HAZARDGRID_WRITE_CONTRACT") is { Length: > 0 } path)
        {
            File.WriteAllText(path, current); // to record a deliberate addition; the assertion still runs
        }

        var committed = File.ReadAllText(s_contractFile).ReplaceLineEndings("\n");
        Assert.True(
            committed == current,
            "The serialized members differ from tests/HazardGrid.Tests/Domain/serialization-contract.txt. Add new members at the end only and never "
            + "reorder, remove or retype one (stored state would no longer read); then record the new contract (HAZARDGRID_WRITE_CONTRACT=<file>).\n"
            + string.Join("\n", Diff(committed, current)));
    }

    [Fact]
    public void The_contract_covers_the_stored_records()
    {
        var contract = Contract();
        foreach (var stored in new[] { typeof(HazardFacts), typeof(MajorHazard), typeof(TownLedgerState), typeof(HazardState), typeof(HazardFigures) })
        {
            Assert.Contains($"{stored.FullName}\n", contract);
        }
    }

    /// <summary>Each serialized type, then its members as "id name: type", in id order.</summary>
    private static string Contract()
    {
        var text = new StringBuilder();
        foreach (var type in Serialized())
        {
            text.Append(type.FullName).Append('\n');
            foreach (var (id, name, memberType) in Members(type))
            {
                text.Append($"  {id} {name}: {Describe(memberType)}\n");
            }
        }

        return text.ToString();
    }

    private static IEnumerable<(string Id, string Name, Type Type)> Members(Type type)
    {
        // Orleans includes a record's primary constructor parameters by default.
        var positional = type.GetMethod("<Clone>$", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic) is not null
            ? type.GetConstructors().Where(c => !(c.GetParameters() is [{ } only] && only.ParameterType == type)).MaxBy(c => c.GetParameters().Length)
            : null;
        foreach (var (parameter, index) in (positional?.GetParameters() ?? []).Select((p, i) => (p, i)))
        {
            yield return ($"ctor#{index}", parameter.Name!, parameter.ParameterType);
        }

        const BindingFlags All = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var explicitMembers = type.GetProperties(All).Select(p => (Member: (MemberInfo)p, Type: p.PropertyType))
            .Concat(type.GetFields(All).Select(f => (Member: (MemberInfo)f, Type: f.FieldType)))
            .Select(m => (m.Member, m.Type, Id: m.Member.GetCustomAttribute<IdAttribute>()))
            .Where(m => m.Id is not null)
            .OrderBy(m => m.Id!.Id);
        foreach (var (member, memberType, id) in explicitMembers)
        {
            yield return ($"id#{id!.Id}", member.Name, memberType);
        }
    }

    private static string Describe(Type type) =>
        type.IsGenericType
            ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(Describe))}>"
            : type.Name;

    private static IEnumerable<string> Diff(string committed, string current)
    {
        var before = committed.Split('\n').ToHashSet();
        var after = current.Split('\n').ToHashSet();
        return committed.Split('\n').Where(l => !after.Contains(l)).Select(l => "- " + l)
            .Concat(current.Split('\n').Where(l => !before.Contains(l)).Select(l => "+ " + l));
    }

    private static IEnumerable<Type> Serialized() =>
        new[] { typeof(HazardFacts).Assembly, typeof(TownGrain).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t.GetCustomAttribute<GenerateSerializerAttribute>() is not null && !t.IsEnum)
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
}
