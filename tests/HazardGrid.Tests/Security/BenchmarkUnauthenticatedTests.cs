using Grpc.Core;
using Grpc.Net.Client;
using HazardGrid.Api.V1;
using HazardGrid.Gateway.Hosting;
using HazardGrid.Gateway.Security;
using HazardGrid.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace HazardGrid.Tests.Security;

/// <summary>The benchmark's switch that turns authentication off (issue 9's cost of authentication)
/// takes effect only with both the setting and the environment variable, and only in embedded mode.</summary>
public sealed class BenchmarkUnauthenticatedTests : IDisposable
{
    private static readonly GetRegionStatusRequest s_province = new() { Name = "regions/37" };
    private readonly string _data = Path.Combine(Path.GetTempPath(), "hazardgrid-unauth-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Theory]
    [InlineData(null, null, false)]
    [InlineData("true", null, false)]
    [InlineData("true", "0", false)]
    [InlineData("true", "true", false)]
    [InlineData(null, "1", false)]
    [InlineData("false", "1", false)]
    [InlineData("true", "1", true)]
    public void Only_the_setting_and_the_environment_variable_together_turn_it_on_in_embedded_mode(string? setting, string? environment, bool on)
    {
        Assert.Equal(on, BenchmarkUnauthenticated.IsOn(Settings(setting), HazardGridMode.Embedded, environment));
    }

    [Fact]
    public void In_postgresql_mode_the_setting_stops_start_up_and_its_absence_changes_nothing()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => BenchmarkUnauthenticated.IsOn(Settings("true"), HazardGridMode.PostgreSql, "1"));
        Assert.Contains(BenchmarkUnauthenticated.Setting, ex.Message, StringComparison.Ordinal);
        Assert.False(BenchmarkUnauthenticated.IsOn(Settings(null), HazardGridMode.PostgreSql, "1"));
    }

    [Fact]
    public async Task Without_the_environment_variable_the_setting_changes_nothing_a_call_without_credential_is_unauthenticated()
    {
        await using var silo = await SiloProcess.StartAsync(_data, $"--{BenchmarkUnauthenticated.Setting}=true");
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{silo.GrpcPort}");
        var regions = new RegionService.RegionServiceClient(channel);

        var ex = await Assert.ThrowsAsync<RpcException>(() => regions.GetRegionStatusAsync(s_province).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.DoesNotContain("AUTHENTICATION IS OFF", silo.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_both_every_call_acts_as_the_fixed_province_system_and_the_banner_warns()
    {
        await using var silo = await SiloProcess.StartAsync(_data,
            new Dictionary<string, string> { [BenchmarkUnauthenticated.EnvironmentVariable] = "1" }, $"--{BenchmarkUnauthenticated.Setting}=true");
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{silo.GrpcPort}");

        Assert.Equal("regions/37", (await new RegionService.RegionServiceClient(channel).GetRegionStatusAsync(s_province)).Name);
        Assert.Contains("AUTHENTICATION IS OFF", silo.Output, StringComparison.Ordinal);
    }

    private static IConfiguration Settings(string? value) => new ConfigurationBuilder()
        .AddInMemoryCollection(value is null ? [] : new Dictionary<string, string?> { [BenchmarkUnauthenticated.Setting] = value })
        .Build();
}
