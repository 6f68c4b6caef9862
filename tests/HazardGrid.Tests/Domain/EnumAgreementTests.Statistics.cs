using HazardGrid.Gateway.Services;
using Xunit;

namespace HazardGrid.Tests.Domain;

/// <summary>The statistics calls' enums, kept beside the others' (see <see cref="EnumAgreementTests"/>).</summary>
public sealed partial class EnumAgreementTests
{
    [Fact]
    public void Ranking_keys_agree_both_ways()
    {
        AssertAgree<HazardGrid.Statistics.RankingKey, Api.V1.RankingKey>(StatisticsMapper.ToApi, byNumber: true);
        Assert.All(Enum.GetValues<HazardGrid.Statistics.RankingKey>(), k => Assert.Equal(k, StatisticsMapper.ToDomain(StatisticsMapper.ToApi(k))));
    }

    [Fact]
    public void Period_kinds_agree_both_ways()
    {
        AssertAgree<HazardGrid.Statistics.PeriodKind, Api.V1.PeriodKind>(StatisticsMapper.ToApi, byNumber: true);
        Assert.All(Enum.GetValues<HazardGrid.Statistics.PeriodKind>(), k => Assert.Equal(k, StatisticsMapper.ToDomain(StatisticsMapper.ToApi(k))));
    }
}
