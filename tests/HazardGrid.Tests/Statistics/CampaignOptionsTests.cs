using HazardGrid.Common;
using HazardGrid.Silo.Hosting;
using HazardGrid.Statistics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace HazardGrid.Tests.Statistics;

public sealed class CampaignOptionsTests
{
    [Fact]
    public void The_campaign_start_is_a_China_calendar_date_read_from_configuration_and_2024_01_01_without_it()
    {
        static DateTimeOffset StartWith(Dictionary<string, string?> settings)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            using var services = new ServiceCollection().AddHazardGridDomain(configuration).BuildServiceProvider();
            return services.GetRequiredService<IOptions<CampaignOptions>>().Value.StartInstant;
        }

        Assert.Equal(new DateTimeOffset(2023, 7, 1, 0, 0, 0, ChinaTime.Offset), StartWith(new() { [$"{CampaignOptions.Section}:Start"] = "2023-07-01" }));
        Assert.Equal(ChinaTime.StockCutoff, StartWith([]));
    }
}
