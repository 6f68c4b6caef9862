using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HazardGrid.Gateway.Security;

/// <summary>Mints credentials with a configured secret: the service's <c>token</c> command, the
/// simulator, the benchmarks and the tests use it. An identity provider can mint the same tokens
/// (HS256 or, with a configured public key, RS256/ES256) with these claims.</summary>
public static class TokenIssuer
{
    /// <summary>A token signed with <paramref name="keyId"/>, or the first configured key holding a secret.</summary>
    public static string Mint(AuthOptions options, string subject, string role, string region, TimeSpan lifetime, string? keyId = null, DateTimeOffset? now = null, string? office = null)
    {
        var key = options.SigningKeys.FirstOrDefault(k => (keyId is null || k.Id == keyId) && k.Secret() is not null)
            ?? throw new InvalidOperationException(keyId is null
                ? $"no signing key with a secret is configured ({AuthOptions.Section}:SigningKeys:N:Key)"
                : $"no signing key '{keyId}' with a secret is configured");
        return Mint(key, options.Issuer, options.Audience, subject, role, region, lifetime, now, office);
    }

    public static string Mint(SigningKeyOptions key, string issuer, string audience, string subject, string role, string region, TimeSpan lifetime, DateTimeOffset? now = null, string? office = null)
    {
        var issuedAt = (now ?? DateTimeOffset.UtcNow).UtcDateTime;
        var claims = new Dictionary<string, object>
        {
            [Caller.SubjectClaim] = subject,
            [Caller.RoleClaim] = role,
            [Caller.RegionClaim] = region,
        };
        if (office is not null)
        {
            claims[Caller.OfficeClaim] = office; // a sector office's credential (see SectorAccess)
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = issuedAt + lifetime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(key.SecurityKey(), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>A new random HMAC secret, base64.</summary>
    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(SigningKeyOptions.MinimumKeyBytes));
}
