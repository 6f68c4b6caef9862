using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using HazardGrid.Gateway.Security;

namespace HazardGrid.Tests.Infrastructure;

/// <summary>
/// Credentials for tests: two fixed signing keys every test gateway and process is configured with
/// (<see cref="Settings"/>, <see cref="Arguments"/>), and tokens minted with them for any role,
/// region, expiry, key, issuer or audience.
/// </summary>
public static class TestTokens
{
    public const string KeyId = "test-key-1";
    public const string SecondKeyId = "test-key-2";
    public const string Province = "37";

    // Fixed, so a process started by one test run reads tokens minted by another; they guard nothing.
    public static readonly string Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    public static readonly string SecondKey = Convert.ToBase64String(Enumerable.Range(101, 32).Select(i => (byte)i).ToArray());

    /// <summary>The settings that make a gateway accept the test tokens (both keys: rotation).</summary>
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        [$"{AuthOptions.Section}:SigningKeys:0:Id"] = KeyId,
        [$"{AuthOptions.Section}:SigningKeys:0:Key"] = Key,
        [$"{AuthOptions.Section}:SigningKeys:1:Id"] = SecondKeyId,
        [$"{AuthOptions.Section}:SigningKeys:1:Key"] = SecondKey,
    };

    /// <summary>The same settings as command-line arguments, for the service and gateway processes.</summary>
    public static string[] Arguments { get; } = [.. Settings.Select(s => $"--{s.Key}={s.Value}")];

    public static SigningKeyOptions SigningKey(string id = KeyId) => new() { Id = id, Key = id == SecondKeyId ? SecondKey : Key };

    /// <summary>A token; every part can be made wrong for a test of the refusals.</summary>
    public static string Mint(
        string role = "system", string region = Province, string? subject = null, TimeSpan? lifetime = null, DateTimeOffset? issuedAt = null,
        SigningKeyOptions? key = null, string issuer = "hazardgrid", string audience = "hazardgrid-api", string? office = null) =>
        TokenIssuer.Mint(key ?? SigningKey(), issuer, audience, subject ?? $"test-{role}-{region}", role, region, lifetime ?? TimeSpan.FromHours(1), issuedAt, office);

    public static Metadata Bearer(string token) => new() { { "authorization", $"Bearer {token}" } };

    /// <summary>A call invoker that sends <paramref name="token"/> on every call.</summary>
    public static CallInvoker WithToken(this GrpcChannel channel, string token) =>
        channel.Intercept(headers =>
        {
            headers.Add("authorization", $"Bearer {token}");
            return headers;
        });
}
