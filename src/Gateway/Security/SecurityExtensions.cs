using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Threading.RateLimiting;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HazardGrid.Gateway.Security;

/// <summary>
/// Credentials and limits of the gRPC API: a JWT bearer token on every call of the three API
/// services (health, reflection and the probes stay anonymous), checked against the configured
/// keys, issuer and audience (<see cref="AuthOptions"/>); a token bucket per credential
/// (<see cref="LimitOptions"/>). A call refused here gets a gRPC status: UNAUTHENTICATED or
/// RESOURCE_EXHAUSTED (with google.rpc.RetryInfo).
/// </summary>
public static class SecurityExtensions
{
    /// <summary>The authorization policy every API service requires.</summary>
    public const string ApiPolicy = "HazardGridApi";

    /// <summary>The rate limiting policy every API service requires.</summary>
    public const string RatePolicy = "PerCredential";

    public static IServiceCollection AddHazardGridSecurity(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateOnStart();
        services.TryAddSingleton(provider => SectorOfficeSettings.Load(provider.GetRequiredService<IConfiguration>()));
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidation>();
        services.AddOptions<LimitOptions>().BindConfiguration(LimitOptions.Section);

        services.AddAuthentication().AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<IOptions<AuthOptions>>((jwt, auth) =>
        {
            jwt.MapInboundClaims = false; // keep sub, role, region as they are
            jwt.TokenValidationParameters = auth.Value.ValidationParameters();
            jwt.Events = new JwtBearerEvents
            {
                OnTokenValidated = context =>
                {
                    if (Caller.Problem(context.Principal, context.HttpContext.RequestServices.GetService<Sectors.SectorOffices>()) is { } problem)
                    {
                        context.Fail(problem);
                    }

                    return Task.CompletedTask;
                },
            };
        });
        // A person's browser session counts as a credential of the HTTP/JSON API too (never of gRPC:
        // the credential scheme sends gRPC calls to the bearer handler), with proof against cross-site requests.
        services.AddConsoleSession();
        services.AddAuthorizationBuilder().AddPolicy(ApiPolicy, p => p
            .AddAuthenticationSchemes(ConsoleSession.CredentialScheme)
            .RequireAuthenticatedUser()
            .AddRequirements(new CrossSiteRequirement()));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, GrpcAuthorizationResultHandler>();

        services.AddRateLimiter(o =>
        {
            o.AddPolicy(RatePolicy, PerCredential);
            o.OnRejected = (context, _) => new ValueTask(RejectAsync(context));
        });
        return services;
    }

    /// <summary>Requires a credential and applies the per-credential limit to an API service.</summary>
    public static TBuilder RequireCredential<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(ApiPolicy).RequireRateLimiting(RatePolicy);

    /// <summary>
    /// Checks a token as the API does (keys, issuer, audience, lifetime, claims): the dashboard's
    /// login takes a pasted operator token through this.
    /// </summary>
    public static async Task<(Caller? Caller, string? Problem)> ValidateAsync(IServiceProvider services, string token)
    {
        var jwt = services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
        var result = await new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync(token.Trim(), jwt.TokenValidationParameters);
        if (!result.IsValid)
        {
            return (null, CredentialProblem(result.Exception));
        }

        var principal = new System.Security.Claims.ClaimsPrincipal(result.ClaimsIdentity);
        var offices = services.GetService<Sectors.SectorOffices>();
        return Caller.Problem(principal, offices) is { } problem ? (null, problem) : (Caller.From(principal, offices), null);
    }

    /// <summary>What was wrong with a credential, in words a client author can act on.</summary>
    public static string CredentialProblem(Exception? failure) => failure switch
    {
        null => "no credential: send the metadata 'authorization: Bearer <token>'",
        SecurityTokenExpiredException => "the credential has expired: mint a new token",
        SecurityTokenNotYetValidException => "the credential is not valid yet (check the clocks)",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "the credential is not signed by a key this service knows",
        SecurityTokenInvalidAudienceException => "the credential is for another audience than this service's",
        SecurityTokenInvalidIssuerException => "the credential is from another issuer than this service's",
        SecurityTokenInvalidAlgorithmException => "the credential is signed with an algorithm this service does not accept",
        SecurityTokenNoExpirationException => "the credential has no expiry",
        SecurityTokenMalformedException or ArgumentException => "the credential is not a well-formed JWT",
        AuthenticationFailureException or InvalidOperationException when failure.Message.StartsWith("the credential", StringComparison.Ordinal) => failure.Message,
        _ => $"the credential was refused ({failure.GetType().Name})",
    };

    private static RateLimitPartition<string> PerCredential(HttpContext http)
    {
        if (Caller.From(http.User) is not { } caller)
        {
            return RateLimitPartition.GetNoLimiter("anonymous"); // refused by authorization anyway
        }

        var limits = http.RequestServices.GetRequiredService<IOptions<LimitOptions>>().Value;
        return RateLimitPartition.GetTokenBucketLimiter($"{caller.Subject}\n{caller.Region}", _ =>
        {
            // Refill in tenths of a second when the rate allows it, so a burst spent recovers smoothly.
            var perTenth = limits.RequestsPerSecond >= 10;
            return new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, limits.Burst),
                TokensPerPeriod = Math.Max(1, perTenth ? limits.RequestsPerSecond / 10 : limits.RequestsPerSecond),
                ReplenishmentPeriod = perTenth ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            };
        });
    }

    private static Task RejectAsync(OnRejectedContext context)
    {
        var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
        var status = new Google.Rpc.Status
        {
            Code = (int)Code.ResourceExhausted,
            Message = $"too many calls with this credential: retry after {retry.TotalMilliseconds:F0} ms (with the same request_id)",
            Details = { Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retry) }) },
        };
        if (GrpcStatusResponse.IsGrpc(context.HttpContext))
        {
            return GrpcStatusResponse.WriteAsync(context.HttpContext, status);
        }

        if (GrpcStatusResponse.IsJsonApi(context.HttpContext))
        {
            return GrpcStatusResponse.WriteJsonAsync(context.HttpContext, status);
        }

        context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        return Task.CompletedTask;
    }

    /// <summary>Start-up fails with every problem of the settings listed, rather than the first call.</summary>
    private sealed class AuthOptionsValidation : IValidateOptions<AuthOptions>
    {
        public ValidateOptionsResult Validate(string? name, AuthOptions options) =>
            options.Problems() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }

    /// <summary>A gRPC call refused by authorization gets a gRPC status; anything else (a browser) the usual challenge.</summary>
    private sealed class GrpcAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
    {
        private readonly AuthorizationMiddlewareResultHandler _default = new();

        public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
        {
            var grpc = GrpcStatusResponse.IsGrpc(context);
            if (authorizeResult.Succeeded || !(grpc || GrpcStatusResponse.IsJsonApi(context)))
            {
                await _default.HandleAsync(next, context, policy, authorizeResult);
                return;
            }

            var crossSite = authorizeResult.AuthorizationFailure?.FailureReasons.Any(r => r.Handler is CrossSiteRequirement) == true;
            var status = new Google.Rpc.Status
            {
                Code = (int)Code.PermissionDenied,
                Message = crossSite ? CrossSiteRequirement.Reason : "the credential does not allow this call",
            };
            if (authorizeResult.Challenged)
            {
                var authentication = await context.AuthenticateAsync(ConsoleSession.CredentialScheme);
                var session = !grpc && context.Request.Headers.Authorization.Count == 0 && context.Request.Cookies.ContainsKey(ConsoleSession.CookieName);
                status = new Google.Rpc.Status
                {
                    Code = (int)Code.Unauthenticated,
                    Message = session ? $"the session has ended: sign in again at {ConsoleSession.SignInPath}" : CredentialProblem(authentication.Failure),
                };
            }

            var reason = status.Code == (int)Code.Unauthenticated ? "INVALID_CREDENTIAL" : crossSite ? "CROSS_SITE_HEADER_MISSING" : "CALLER_NOT_ALLOWED";
            status.Details.Add(Any.Pack(new ErrorInfo { Reason = reason, Domain = "hazardgrid" }));
            await (grpc ? GrpcStatusResponse.WriteAsync(context, status) : GrpcStatusResponse.WriteJsonAsync(context, status));
        }
    }
}
