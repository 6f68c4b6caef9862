using System.Collections.Concurrent;
using Grpc.Core;
using HazardGrid.Gateway.Security;

namespace HazardGrid.Simulator;

/// <summary>
/// The credentials the simulated systems present. With a signing key, each county system gets its
/// own token (role <c>system</c>, region its county), as the real ones would, and the status
/// queries a province supervisor's; with a single token (from <c>HazardGrid.Silo token</c>), every
/// call presents it, so it must be a province-wide one.
/// </summary>
public sealed class SimulatedSystems
{
    private readonly Func<string, string, string, string> _mint; // (role, region, subject) → token
    private readonly ConcurrentDictionary<(string Role, string Region), Metadata> _headers = new();

    private SimulatedSystems(Func<string, string, string, string> mint) => _mint = mint;

    public static SimulatedSystems FromKey(SigningKeyOptions key, string issuer = "hazardgrid", string audience = "hazardgrid-api") =>
        new((role, region, subject) => TokenIssuer.Mint(key, issuer, audience, subject, role, region, TimeSpan.FromDays(1)));

    public static SimulatedSystems FromToken(string token) => new((_, _, _) => token);

    /// <summary>The headers of a county system's calls.</summary>
    public Metadata County(string countyCode) => For("system", countyCode, $"county-{countyCode}");

    /// <summary>The headers of a province-wide caller (the status queries, the final check).</summary>
    public Metadata Province(string role = "supervisor") => For(role, "37", $"province-{role}");

    private Metadata For(string role, string region, string subject) =>
        _headers.GetOrAdd((role, region), _ => new Metadata { { "authorization", $"Bearer {_mint(role, region, subject)}" } });
}
