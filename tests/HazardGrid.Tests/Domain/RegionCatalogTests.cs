using HazardGrid.Regions;
using Xunit;

namespace HazardGrid.Tests.Domain;

public sealed class RegionCatalogTests
{
    private readonly RegionCatalog _regions = RegionCatalog.Shandong;

    [Fact]
    public void The_shipped_tree_is_Shandongs_real_division_tree()
    {
        Assert.Equal(("37", "山东省"), (_regions.Root.Code, _regions.Root.Name));
        Assert.Equal(16, _regions.All.Count(r => r.Level == RegionLevel.City));
        Assert.Equal(151, _regions.All.Count(r => r.Level == RegionLevel.County));
        Assert.Equal(1853, _regions.All.Count(r => r.Level == RegionLevel.Town));
        Assert.Equal("山亭经济开发区", _regions.Get("370406405").Name);
    }

    [Fact]
    public void Every_code_is_the_prefix_of_its_childrens_codes_one_level_down()
    {
        foreach (var region in _regions.All.Where(r => r.ParentCode is not null))
        {
            var parent = _regions.Get(region.ParentCode!);
            Assert.StartsWith(parent.Code, region.Code);
            Assert.Equal(parent.Level + 1, region.Level);
            Assert.Contains(region.Code, _regions.ChildrenOf(parent.Code));
        }
    }

    [Fact]
    public void A_town_climbs_to_the_province_through_its_county_and_city() =>
        Assert.Equal(["370406001", "370406", "3704", "37"], _regions.SelfAndAncestors("370406001").Select(r => r.Code));
}
