namespace HazardGrid.Regions;

public enum RegionLevel
{
    Province = 0,
    City = 1,
    County = 2,
    Town = 3,
}

/// <summary>One node of the division tree. Towns include functional zones (开发区/功能区).</summary>
[GenerateSerializer, Immutable, Alias("hg.Region")]
public sealed record Region(string Code, string Name, RegionLevel Level, string? ParentCode);
