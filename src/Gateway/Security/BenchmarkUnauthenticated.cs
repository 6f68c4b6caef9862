using System.Security.Claims;
using System.Text.Encodings.Web;
using HazardGrid.Gateway.Hosting;
using HazardGrid.Regions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace HazardGrid.Gateway.Security;

/// <summary>
/// A switch for one measurement only: issue 9 asks what authentication costs on the write path,
/// which needs the same build measured with credentials and without them (bench/ServiceBench,
/// <c>auth</c>). Production must stay secure by default, so the switch takes effect only when all
/// three hold: the embedded (single-process, local) mode, the setting
/// <c>HazardGrid:Auth:BenchmarkUnauthenticated=true</c>, and the environment variable
/// <c>HAZARDGRID_BENCHMARK_UNAUTHENTICATED=1</c> of the process. A setting alone (a settings file, a
/// command line copied around) changes nothing; in PostgreSQL mode the setting stops start-up.
/// <para>What it replaces is the credential check alone: the API services' policy authenticates with
/// a scheme that makes every call the fixed province-wide system caller <see cref="Subject"/>
/// instead of reading a token. Authorization, the per-credential rate limit and every scope check
/// run as usual, against that caller; health, probes and the dashboard are untouched.</para>
/// </summary>
public static class BenchmarkUnauthenticated
{
    public const string Setting = AuthOptions.Section + ":BenchmarkUnauthenticated";

    public const string EnvironmentVariable = "HAZARDGRID_BENCHMARK_UNAUTHENTICATED";

    /// <summary>The subject every call acts as (and the audit trail records) while the switch is on.</summary>
    public const string Subject = "benchmark-unauthenticated";

    public const string SchemeName = "BenchmarkUnauthenticated";

    /// <summary>
    /// Whether to switch authentication off: true only in embedded mode with both the setting and
    /// the environment variable. Throws when the setting asks for it in any other mode.
    /// </summary>
    public static bool IsOn(IConfiguration configuration, HazardGridMode mode, string? environmentValue)
    {
        if (!configuration.GetValue<bool>(Setting))
        {
            return false;
        }

        if (mode != HazardGridMode.Embedded)
        {
            throw new InvalidOperationException(
                $"{Setting} is for benchmarks of the embedded mode only; a {mode} process always requires credentials. Remove the setting.");
        }

        return environmentValue == "1";
    }

    /// <summary>Whether the process's own environment and settings turn the switch on (see <see cref="IsOn"/>).</summary>
    public static bool IsOn(IConfiguration configuration, HazardGridMode mode) =>
        IsOn(configuration, mode, Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>Makes the API services' policy authenticate every call as <see cref="Subject"/>.
    /// Call after <see cref="SecurityExtensions.AddHazardGridSecurity"/>, and only when <see cref="IsOn(IConfiguration, HazardGridMode)"/>.</summary>
    public static IServiceCollection AddBenchmarkUnauthenticated(this IServiceCollection services)
    {
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, FixedCallerHandler>(SchemeName, null);

        // Runs after the security registration's own policy (options actions run in order), so the
        // same policy name now authenticates with the fixed caller instead of the bearer token.
        services.Configure<AuthorizationOptions>(o => o.AddPolicy(SecurityExtensions.ApiPolicy, p => p
            .AddAuthenticationSchemes(SchemeName)
            .RequireAuthenticatedUser()));
        return services;
    }

    /// <summary>The warning printed at start while the switch is on.</summary>
    public static string Warning =>
        $"WARNING: AUTHENTICATION IS OFF ({EnvironmentVariable}=1 and {Setting}=true): every API call acts as the province-wide system '{Subject}'. For benchmarks only; never serve real data like this.";

    private sealed class FixedCallerHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        private static readonly ClaimsPrincipal s_caller = new(new ClaimsIdentity(
            [
                new Claim(Caller.SubjectClaim, Subject),
                new Claim(Caller.RoleClaim, Caller.Describe(CallerRole.System)),
                new Claim(Caller.RegionClaim, RegionCatalog.Shandong.Root.Code),
            ],
            SchemeName,
            Caller.SubjectClaim,
            Caller.RoleClaim));

        protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
            Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(s_caller, SchemeName)));
    }
}
