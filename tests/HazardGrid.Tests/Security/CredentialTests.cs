using Grpc.Core;
using Grpc.Net.Client;
using HazardGrid.Api.V1;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Security;

/// <summary>Who may call at all: a credential the service can verify, or UNAUTHENTICATED with a
/// message saying what was wrong; the anonymous exceptions stay open.</summary>
[Collection(SharedCluster.Name)]
public sealed class CredentialTests(ClusterFixture fixture)
{
    private static readonly GetRegionStatusRequest s_province = new() { Name = "regions/37" };

    public static TheoryData<string, string, string> Refused => new()
    {
        { "no credential", "", "no credential" },
        { "expired", TestTokens.Mint(issuedAt: DateTimeOffset.UtcNow.AddHours(-3), lifetime: TimeSpan.FromHours(1)), "expired" },
        { "unknown key", TestTokens.Mint(key: new() { Id = "stranger", Key = Convert.ToBase64String(new byte[32]) }), "not signed by a key this service knows" },
        { "unknown key under a known id", TestTokens.Mint(key: new() { Id = TestTokens.KeyId, Key = Convert.ToBase64String(new byte[32]) }), "not signed by a key this service knows" },
        { "another audience", TestTokens.Mint(audience: "someone-else"), "another audience" },
        { "another issuer", TestTokens.Mint(issuer: "someone-else"), "another issuer" },
        { "malformed", "not.a.token", "not a well-formed JWT" },
        { "a region outside the tree", TestTokens.Mint(region: "99"), "'region' claim" },
        { "an unknown role", TestTokens.Mint(role: "admin"), "'role' claim" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_call_without_a_valid_credential_is_unauthenticated(string why, string token, string message)
    {
        var regions = new RegionService.RegionServiceClient(token.Length == 0 ? fixture.Channel.CreateCallInvoker() : fixture.As(token));
        var ex = await Assert.ThrowsAsync<RpcException>(() => regions.GetRegionStatusAsync(s_province).ResponseAsync);
        Assert.True(ex.StatusCode == StatusCode.Unauthenticated, $"{why}: {ex.Status}");
        Assert.Contains(message, ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("INVALID_CREDENTIAL", ex.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason);
    }

    [Fact]
    public async Task Tokens_of_either_configured_key_are_accepted_so_keys_can_rotate()
    {
        foreach (var key in new[] { TestTokens.KeyId, TestTokens.SecondKeyId })
        {
            var regions = new RegionService.RegionServiceClient(fixture.As(TestTokens.Mint(key: TestTokens.SigningKey(key))));
            Assert.Equal("regions/37", (await regions.GetRegionStatusAsync(s_province)).Name);
        }
    }

    [Fact]
    public async Task Health_and_reflection_stay_anonymous()
    {
        var health = new Grpc.Health.V1.Health.HealthClient(fixture.Channel);
        var answer = await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest());
        Assert.NotEqual(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Unknown, answer.Status);
    }

    [Fact]
    public async Task Calls_above_the_configured_rate_are_resource_exhausted_with_a_retry_delay()
    {
        var gateway = await fixture.StartGatewayAsync(new Dictionary<string, string?>
        {
            ["HazardGrid:Limits:RequestsPerSecond"] = "1",
            ["HazardGrid:Limits:Burst"] = "2",
        });
        try
        {
            using var channel = GrpcChannel.ForAddress(gateway.Urls.First());
            var regions = new RegionService.RegionServiceClient(channel.WithToken(TestTokens.Mint(subject: "eager-system")));
            var answers = new List<StatusCode>();
            for (var i = 0; i < 5; i++)
            {
                try
                {
                    await regions.GetRegionStatusAsync(s_province);
                    answers.Add(StatusCode.OK);
                }
                catch (RpcException ex)
                {
                    answers.Add(ex.StatusCode);
                    Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
                    Assert.Contains("too many calls", ex.Status.Detail, StringComparison.Ordinal);
                    Assert.NotNull(ex.GetRpcStatus()?.GetDetail<Google.Rpc.RetryInfo>());
                }
            }

            Assert.Equal([StatusCode.OK, StatusCode.OK], answers.Take(2));
            Assert.Contains(StatusCode.ResourceExhausted, answers);

            // Another credential has its own bucket.
            var other = new RegionService.RegionServiceClient(channel.WithToken(TestTokens.Mint(subject: "calm-system")));
            Assert.Equal("regions/37", (await other.GetRegionStatusAsync(s_province)).Name);
        }
        finally
        {
            await gateway.StopAsync();
            await gateway.DisposeAsync();
        }
    }
}
