using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Rollups;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Cluster;

/// <summary>
/// <see cref="GrainReferences.Reference{T}"/> keeps each interface's resolved grain type: the
/// references it makes must be the ones Orleans' <c>GetGrain</c> makes — same grain, same
/// interface, for every interface and key, from the client and inside the silo alike.
/// </summary>
[Collection(SharedCluster.Name)]
public sealed class GrainReferencesTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_reference_is_the_grain_GetGrain_gives_for_each_interface_and_key()
    {
        var client = fixture.Cluster.Client;
        var towns = TestData.TownsOf("370406", 3);

        // Interleaved interfaces, so a cache mixing them up would hand one's type to the other.
        foreach (var town in towns)
        {
            Same(client.GetGrain<ITownGrain>(town), client.Reference<ITownGrain>(town));
            Same(client.GetGrain<IRollupGrain>(town[..6]), client.Reference<IRollupGrain>(town[..6]));
            var code = TestData.NewCreditCode(town);
            Same(client.GetGrain<IEnterpriseGrain>(code), client.Reference<IEnterpriseGrain>(code));
        }

        // And the reference reaches the grain: the county's figures through both are one grain's.
        var county = await client.Reference<IRollupGrain>("370406").GetStatus();
        Assert.Equal("370406", county.Region.Code);
        Assert.Equal(county.Figures, (await client.GetGrain<IRollupGrain>("370406").GetStatus()).Figures);
    }

    [Fact]
    public void A_blank_key_is_refused_as_GetGrain_refuses_it()
    {
        var client = fixture.Cluster.Client;
        _ = client.Reference<ITownGrain>(TestData.TownsOf("370406", 1)[0]);
        Assert.Throws<ArgumentException>(() => client.Reference<ITownGrain>(" "));
        Assert.ThrowsAny<ArgumentException>(() => client.GetGrain<ITownGrain>(" "));
    }

    private static void Same<T>(T expected, T actual)
        where T : IAddressable
    {
        var orleans = (GrainReference)(object)expected;
        var ours = (GrainReference)(object)actual;
        Assert.Equal(orleans.GrainId, ours.GrainId);
        Assert.Equal(orleans.InterfaceType, ours.InterfaceType);
        Assert.IsAssignableFrom<T>(actual);
    }
}
