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
public sealed record Region([property: Id(0)] string Code, [property: Id(1)] string Name, [property: Id(2)] RegionLevel Level, [property: Id(3)] string? ParentCode);
