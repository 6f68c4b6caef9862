using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace HazardGrid.Gateway.Security;

/// <summary>
/// How credentials are checked (<c>HazardGrid:Auth</c>). Nothing is fetched over the network: the
/// keys are configured, several at once so that a key can be rotated (add the new one first, mint
/// with it, remove the old one once its tokens have expired).
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "HazardGrid:Auth";

    public string Issuer { get; set; } = "hazardgrid";

    public string Audience { get; set; } = "hazardgrid-api";

    /// <summary>Tolerance for clocks that disagree a little on expiry and not-before.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Keys that sign credentials; tokens are minted with the first one that holds a secret.</summary>
    public List<SigningKeyOptions> SigningKeys { get; set; } = [];

    /// <summary>What is wrong with the settings, one line each; empty when they hold together.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (SigningKeys.Count == 0)
        {
            problems.Add($"no signing key: set {Section}:SigningKeys:0:Id and {Section}:SigningKeys:0:Key (base64, at least {SigningKeyOptions.MinimumKeyBytes} bytes)");
        }

        problems.AddRange(SigningKeys.SelectMany((key, i) => key.Problems($"{Section}:SigningKeys:{i}")));
        if (SigningKeys.Where(k => !string.IsNullOrEmpty(k.Id)).GroupBy(k => k.Id).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            problems.Add($"{Section}:SigningKeys: the id '{twice.Key}' is used twice");
        }

        return problems;
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKeys = [.. SigningKeys.Select(k => k.SecurityKey())],
        ValidateIssuerSigningKey = true,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ClockSkew = ClockSkew,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256],
        NameClaimType = Caller.SubjectClaim,
        RoleClaimType = Caller.RoleClaim,
    };
}

/// <summary>One signing key: an HMAC-SHA256 secret (<see cref="Key"/>, base64) that both signs and
/// verifies, or a public key (<see cref="PublicKeyPem"/>, RSA or EC) that only verifies tokens
/// another party signs.</summary>
public sealed class SigningKeyOptions
{
    public const int MinimumKeyBytes = 32;

    /// <summary>The key id (<c>kid</c> in the token's header).</summary>
    public string? Id { get; set; }

    public string? Key { get; set; }

    public string? PublicKeyPem { get; set; }

    public IEnumerable<string> Problems(string path)
    {
        if (string.IsNullOrWhiteSpace(Id))
        {
            yield return $"{path}:Id is missing";
        }

        if (string.IsNullOrEmpty(Key) == string.IsNullOrEmpty(PublicKeyPem))
        {
            yield return $"{path}: set exactly one of Key (base64 HMAC secret) and PublicKeyPem";
        }
        else if (Key is { Length: > 0 } && Secret() is not { Length: >= MinimumKeyBytes })
        {
            yield return $"{path}:Key must be base64 of at least {MinimumKeyBytes} bytes";
        }
        else if (PublicKeyPem is { Length: > 0 } && Try(SecurityKey) is null)
        {
            yield return $"{path}:PublicKeyPem is not an RSA or EC public key in PEM";
        }
    }

    public byte[]? Secret()
    {
        try
        {
            return Key is null ? null : Convert.FromBase64String(Key);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public SecurityKey SecurityKey()
    {
        if (Secret() is { } secret)
        {
            return new SymmetricSecurityKey(secret) { KeyId = Id };
        }

        var pem = PublicKeyPem ?? throw new InvalidOperationException($"signing key '{Id}' has neither a secret nor a public key");
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa) { KeyId = Id };
        }
        catch (ArgumentException)
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return new ECDsaSecurityKey(ec) { KeyId = Id };
        }
    }

    private static T? Try<T>(Func<T> make) where T : class
    {
        try
        {
            return make();
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            return null;
        }
    }
}

/// <summary>Limits every caller lives with (<c>HazardGrid:Limits</c>). The defaults leave bulk loads
/// and the simulator unthrottled; they stop one runaway client from starving the others.</summary>
public sealed class LimitOptions
{
    public const string Section = "HazardGrid:Limits";

    /// <summary>Calls per second one credential (subject and region) may make, on average.</summary>
    public int RequestsPerSecond { get; set; } = 5000;

    /// <summary>Calls one credential may make at once above the average.</summary>
    public int Burst { get; set; } = 10000;

    /// <summary>The longest the service works on a unary call, whatever deadline the client set.</summary>
    public TimeSpan MaxCallDuration { get; set; } = TimeSpan.FromSeconds(30);
}
