using System.Collections.Immutable;
using HazardGrid.Enterprises;

namespace HazardGrid.Sectors;

/// <summary>
/// Which office regulates which sectors (configuration <c>HazardGrid:SectorOffices:{office}:Sectors</c>):
/// a credential naming an office in its <c>office</c> claim sees that office's sectors only. The
/// towns count figures for every configured scope, so silos and gateways must be configured alike
/// (a gateway that asks for a scope the silos do not count refuses the call rather than guess).
/// </summary>
public sealed class SectorOffices
{
    public const string Section = "HazardGrid:SectorOffices";

    public SectorOffices(IReadOnlyDictionary<string, SectorScope> offices)
    {
        Offices = offices.ToImmutableSortedDictionary(StringComparer.OrdinalIgnoreCase);
        Scopes = [.. Offices.Values.Distinct()];
    }

    /// <summary>The offices by name (compared without case, like configuration keys).</summary>
    public ImmutableSortedDictionary<string, SectorScope> Offices { get; }

    /// <summary>Every distinct sector scope of the offices: the towns count figures for each.</summary>
    public ImmutableArray<SectorScope> Scopes { get; }

    public SectorScope? Find(string office) => Offices.GetValueOrDefault(office);

    /// <summary>
    /// The default offices, after the provincial work-safety committee's member departments (seed
    /// 000 lists them: 省应急厅, 省住房城乡建设厅, 省交通运输厅, 省消防救援总队, 省市场监管局, 山东海事局,
    /// 省工业和信息化厅) and the sectors each regulates by its mandate: emergency management the
    /// hazardous chemicals, mines, industry and trade with its dust-explosion and ammonia-refrigeration
    /// work, and fireworks; housing and construction building sites and town gas; transport; fire
    /// rescue fire safety; market regulation special equipment; maritime safety; industry and
    /// information technology civil explosives. Every sector has exactly one office by default.
    /// </summary>
    public static SectorOffices Default { get; } = new(new Dictionary<string, SectorScope>
    {
        ["emergency-management"] = SectorScope.Of([Sector.Chemicals, Sector.CoalMining, Sector.NonCoalMining, Sector.IndustryTrade,
            Sector.Fireworks, Sector.DustExplosion, Sector.AmmoniaRefrigeration]),
        ["housing-construction"] = SectorScope.Of([Sector.Construction, Sector.Gas]),
        ["transport"] = SectorScope.Of([Sector.Transport]),
        ["fire-rescue"] = SectorScope.Of([Sector.FireSafety]),
        ["market-regulation"] = SectorScope.Of([Sector.SpecialEquipment]),
        ["maritime"] = SectorScope.Of([Sector.Maritime]),
        ["industry-information"] = SectorScope.Of([Sector.CivilExplosives]),
    });

    /// <summary>What is wrong with configured offices, one line each; empty when they hold together.</summary>
    public static IReadOnlyList<string> Problems(IReadOnlyDictionary<string, IReadOnlyList<string>> configured)
    {
        var problems = new List<string>();
        foreach (var (office, sectors) in configured)
        {
            if (!IsName(office))
            {
                problems.Add($"{Section}:{office}: an office name is 1 to 64 lower-case letters, digits and '-'");
            }

            if (sectors.Count == 0)
            {
                problems.Add($"{Section}:{office}:Sectors must name at least one sector ({string.Join(", ", Enum.GetNames<Sector>())})");
            }

            problems.AddRange(sectors.Where(s => !Enum.TryParse<Sector>(s, ignoreCase: true, out var v) || !Enum.IsDefined(v) || int.TryParse(s, out _))
                .Select(s => $"{Section}:{office}:Sectors: '{s}' is not a sector ({string.Join(", ", Enum.GetNames<Sector>())})"));
        }

        return problems;
    }

    /// <summary>Offices from configuration (checked by <see cref="Problems"/> first); none configured gives <see cref="Default"/>.</summary>
    public static SectorOffices From(IReadOnlyDictionary<string, IReadOnlyList<string>> configured) =>
        configured.Count == 0
            ? Default
            : new(configured.ToDictionary(o => o.Key, o => SectorScope.Of(o.Value.Select(s => Enum.Parse<Sector>(s, ignoreCase: true)))));

    private static bool IsName(string office) =>
        office.Length is > 0 and <= 64 && office.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');
}
