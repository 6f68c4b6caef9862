using System.Collections.Frozen;

namespace HazardGrid.Regions;

/// <summary>
/// The Shandong division tree (province &gt; cities &gt; counties &gt; towns), loaded once from the
/// CSV embedded in this assembly. The tree is static reference data, so every process holds its
/// own read-only copy instead of asking a grain.
/// </summary>
public sealed class RegionCatalog
{
    private const string ResourceName = "HazardGrid.Regions.shandong-divisions.csv";

    private static readonly Lazy<RegionCatalog> s_shandong = new(LoadEmbedded);

    private readonly FrozenDictionary<string, Region> _regions;
    private readonly FrozenDictionary<string, string[]> _children;

    private RegionCatalog(IReadOnlyList<Region> regions)
    {
        _regions = regions.ToFrozenDictionary(r => r.Code, StringComparer.Ordinal);
        _children = regions
            .Where(r => r.ParentCode is not null)
            .GroupBy(r => r.ParentCode!, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.Select(r => r.Code).Order(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        Root = regions.Single(r => r.ParentCode is null);
    }

    /// <summary>The shipped Shandong tree.</summary>
    public static RegionCatalog Shandong => s_shandong.Value;

    public Region Root { get; }

    public IEnumerable<Region> All => _regions.Values;

    public bool TryGet(string code, out Region region) => _regions.TryGetValue(code, out region!);

    public Region Get(string code) =>
        _regions.TryGetValue(code, out var region) ? region : throw new KeyNotFoundException($"No region with code '{code}'.");

    public IReadOnlyList<string> ChildrenOf(string code) =>
        _children.TryGetValue(code, out var children) ? children : [];

    /// <summary>The region and every region above it, nearest first (town, county, city, province).</summary>
    public IEnumerable<Region> SelfAndAncestors(string code)
    {
        for (var region = Get(code); ; region = Get(region.ParentCode))
        {
            yield return region;
            if (region.ParentCode is null)
            {
                yield break;
            }
        }
    }

    public static RegionCatalog Parse(TextReader reader)
    {
        var regions = new List<Region>();
        var header = reader.ReadLine();
        if (header != "code,name,level,parent_code")
        {
            throw new FormatException($"Unexpected region header '{header}'.");
        }

        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var parts = line.Split(',');
            if (parts.Length != 4)
            {
                throw new FormatException($"Bad region line '{line}'.");
            }

            var level = parts[2] switch
            {
                "province" => RegionLevel.Province,
                "city" => RegionLevel.City,
                "county" => RegionLevel.County,
                "town" => RegionLevel.Town,
                _ => throw new FormatException($"Unknown region level in '{line}'."),
            };
            regions.Add(new Region(parts[0], parts[1], level, parts[3].Length == 0 ? null : parts[3]));
        }

        return new RegionCatalog(regions);
    }

    private static RegionCatalog LoadEmbedded()
    {
        using var stream = typeof(RegionCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource '{ResourceName}' is missing.");
        using var reader = new StreamReader(stream);
        return Parse(reader);
    }
}
