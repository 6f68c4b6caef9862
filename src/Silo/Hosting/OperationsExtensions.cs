using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using HazardGrid.Common;
using HazardGrid.Gateway.Hosting;
using HazardGrid.Gateway.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;

namespace HazardGrid.Silo.Hosting;

/// <summary>Settings for what operators reach over HTTP: the dashboard's credentials.</summary>
public sealed class OperationsOptions
{
    public const string Section = "HazardGrid:Operations";

    /// <summary>When set, the dashboard also takes HTTP Basic credentials (user <see cref="DashboardUser"/>)
    /// besides an operator's sign-in. Put it in a secret, never in a committed file.</summary>
    public string? DashboardPassword { get; set; }

    public string DashboardUser { get; set; } = "operator";
}

/// <summary>
/// What operators need from a silo process besides the probes (<c>/healthz</c>, <c>/readyz</c>: mapped
/// with the gateway's services by <see cref="HealthExtensions"/>, the same readiness check as a
/// standalone gateway's), Prometheus metrics at <c>/metrics</c>
/// (the <c>Microsoft.Orleans</c> meter, the project's <c>HazardGrid</c> meter, ASP.NET Core and the
/// runtime), and the dashboard at <c>/dashboard/</c>, for operators only, in every mode: a browser
/// signs in at <see cref="DashboardLogin.LoginPath"/> with an operator token (a cookie session: the
/// dashboard's page sends no bearer token), or sends HTTP Basic credentials when a password is
/// configured.
/// </summary>
public static class OperationsExtensions
{
    public const string LivenessPath = HealthExtensions.LivenessPath;
    public const string ReadinessPath = HealthExtensions.ReadinessPath;
    public const string MetricsPath = "/metrics";

    private const string BasicScheme = "DashboardBasic";
    private const string DashboardScheme = "Dashboard";

    public static IServiceCollection AddHazardGridOperations(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<OperationsOptions>(configuration.GetSection(OperationsOptions.Section));
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter("Microsoft.Orleans", HazardGridMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, DashboardBasicAuthentication>(BasicScheme, null)
            .AddCookie(DashboardLogin.CookieScheme, o =>
            {
                o.LoginPath = DashboardLogin.LoginPath;
                o.AccessDeniedPath = DashboardLogin.LoginPath;
                o.Cookie.Name = "hazardgrid-operator";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.ExpireTimeSpan = DashboardLogin.SessionLength;
                o.SlidingExpiration = false;
            })
            // Basic when the request carries Basic credentials (scripts), the session cookie otherwise (browsers).
            .AddPolicyScheme(DashboardScheme, null, o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) ? BasicScheme : DashboardLogin.CookieScheme);
        services.AddAuthorizationBuilder().AddPolicy(DashboardScheme, p => p
            .AddAuthenticationSchemes(DashboardScheme)
            .RequireAuthenticatedUser()
            .RequireClaim(Caller.RoleClaim, "operator"));
        return services;
    }

    public static WebApplication MapHazardGridOperations(this WebApplication app, bool dashboard)
    {
        // Authentication and authorization run in the pipeline MapHazardGridGateway sets up.
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        if (dashboard)
        {
            app.MapOrleansDashboard(routePrefix: "/dashboard").RequireAuthorization(DashboardScheme);
            app.MapDashboardLogin();
        }

        return app;
    }

    /// <summary>HTTP Basic credentials for the dashboard, compared in constant time.</summary>
    private sealed class DashboardBasicAuthentication(
        IOptionsMonitor<AuthenticationSchemeOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        IOptions<OperationsOptions> operations) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var expected = operations.Value;
            if (string.IsNullOrEmpty(expected.DashboardPassword))
            {
                return Task.FromResult(AuthenticateResult.NoResult()); // no password, no Basic: operators sign in
            }

            if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header)
                || !"Basic".Equals(header.Scheme, StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            string credentials;
            try
            {
                credentials = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            }
            catch (FormatException)
            {
                return Task.FromResult(AuthenticateResult.Fail("malformed credentials"));
            }

            var given = Encoding.UTF8.GetBytes(credentials);
            var wanted = Encoding.UTF8.GetBytes($"{expected.DashboardUser}:{expected.DashboardPassword}");
            if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(given, wanted))
            {
                return Task.FromResult(AuthenticateResult.Fail("wrong credentials"));
            }

            var identity = new ClaimsIdentity([new Claim(Caller.SubjectClaim, expected.DashboardUser), new Claim(Caller.RoleClaim, "operator")], Scheme.Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
        }

        protected override Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            Response.Headers.WWWAuthenticate = "Basic realm=\"HazardGrid dashboard\"";
            return base.HandleChallengeAsync(properties);
        }
    }
}
