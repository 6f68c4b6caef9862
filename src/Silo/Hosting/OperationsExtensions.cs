using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using HazardGrid.Common;
using HazardGrid.Regions;
using HazardGrid.Rollups;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;

namespace HazardGrid.Silo.Hosting;

/// <summary>Settings for what operators reach over HTTP: the dashboard's credentials.</summary>
public sealed class OperationsOptions
{
    public const string Section = "HazardGrid:Operations";

    /// <summary>When set, the dashboard asks for HTTP Basic credentials (user <see cref="DashboardUser"/>).
    /// Put it in a secret, never in a committed file.</summary>
    public string? DashboardPassword { get; set; }

    public string DashboardUser { get; set; } = "operator";
}

/// <summary>
/// What operators need from a silo process: liveness (<c>/healthz</c>) and readiness
/// (<c>/readyz</c>: the silo answers a grain call) probes, Prometheus metrics at <c>/metrics</c>
/// (the <c>Microsoft.Orleans</c> meter, the project's <c>HazardGrid</c> meter, ASP.NET Core and the
/// runtime), and the dashboard at <c>/dashboard/</c>, behind Basic authentication when a password
/// is configured.
/// </summary>
public static class OperationsExtensions
{
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";
    public const string MetricsPath = "/metrics";

    private const string DashboardScheme = "DashboardBasic";

    public static IServiceCollection AddHazardGridOperations(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<OperationsOptions>(configuration.GetSection(OperationsOptions.Section));
        services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy(), tags: ["live"])
            .AddCheck<SiloReadinessCheck>("silo", tags: ["ready"]);
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter("Microsoft.Orleans", HazardGridMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, DashboardBasicAuthentication>(DashboardScheme, null);
        services.AddAuthorizationBuilder().AddPolicy(DashboardScheme, p => p.AddAuthenticationSchemes(DashboardScheme).RequireAuthenticatedUser());
        return services;
    }

    public static WebApplication MapHazardGridOperations(this WebApplication app, bool dashboard)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthChecks(LivenessPath, new() { Predicate = c => c.Tags.Contains("live") });
        app.MapHealthChecks(ReadinessPath, new() { Predicate = c => c.Tags.Contains("ready") });
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        if (dashboard)
        {
            var route = app.MapOrleansDashboard(routePrefix: "/dashboard");
            if (!string.IsNullOrEmpty(app.Services.GetRequiredService<IOptions<OperationsOptions>>().Value.DashboardPassword))
            {
                route.RequireAuthorization(DashboardScheme);
            }
        }

        return app;
    }

    /// <summary>Ready when the silo serves grain calls: the province's status answers within a few seconds.</summary>
    private sealed class SiloReadinessCheck(IGrainFactory grains) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await grains.GetGrain<IRollupGrain>(RegionCatalog.Shandong.Root.Code).GetStatus().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex)
            {
                return HealthCheckResult.Unhealthy("the silo does not answer grain calls", ex);
            }
        }
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

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, expected.DashboardUser)], Scheme.Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
        }

        protected override Task HandleChallengeAsync(AuthenticationProperties properties)
        {
            Response.Headers.WWWAuthenticate = "Basic realm=\"HazardGrid dashboard\"";
            return base.HandleChallengeAsync(properties);
        }
    }
}
