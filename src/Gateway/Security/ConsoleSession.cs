using System.Net;
using System.Security.Claims;
using System.Text.Json;
using HazardGrid.Accounts;
using HazardGrid.Common;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HazardGrid.Gateway.Security;

/// <summary>Settings of people's browser sessions (<c>HazardGrid:Console</c>).</summary>
public sealed class ConsoleOptions
{
    public const string Section = "HazardGrid:Console";

    /// <summary>How long a session lasts without a request; each request renews it (sliding).</summary>
    public TimeSpan SessionLength { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Where the keys that protect session cookies are kept. Set it to a directory every
    /// gateway of a cluster shares (and that survives restarts), or sessions end with the process
    /// that issued them; the embedded run uses its data directory.</summary>
    public string? KeysDirectory { get; set; }
}

/// <summary>
/// People's sign-in for the browser: <c>POST /console/sign-in</c> with a user name and password
/// (form or JSON) checks the account (<see cref="IAccountGrain.SignIn"/>) and issues an HttpOnly,
/// SameSite=Strict cookie with the account's sub, role and region, valid for a sliding
/// <see cref="ConsoleOptions.SessionLength"/>; <c>POST /console/sign-out</c> ends it. The HTTP/JSON
/// API (<c>/v1/…</c>) takes that cookie as a credential, with the same scopes and refusals as a
/// token; gRPC takes bearer tokens only. A cookie-authenticated request that changes something
/// (any method but GET, HEAD, OPTIONS) must also carry <c>X-Requested-With</c>: a cross-site page
/// cannot add that header without a CORS preflight this service never grants, so it cannot borrow
/// the session even from a browser that ignores SameSite.
/// </summary>
public static class ConsoleSession
{
    public const string Scheme = "ConsoleSession";
    public const string CookieName = "hazardgrid-session";
    public const string SignInPath = "/console/sign-in";
    public const string SignOutPath = "/console/sign-out";
    public const string CrossSiteHeader = "X-Requested-With";

    /// <summary>The console's page (Console/ConsoleFiles.cs), where a form sign-in goes on to.</summary>
    public const string ConsolePath = "/console/";

    /// <summary>The credential scheme of the API: a bearer token when the request is gRPC or carries an
    /// Authorization header, the session cookie otherwise.</summary>
    public const string CredentialScheme = "HazardGridCredential";

    /// <summary>The one answer to every refused sign-in, so it tells nobody whether a user name exists,
    /// is disabled or is locked.</summary>
    public const string Refusal = "用户名或密码不正确，或账户已停用或暂时锁定。Wrong user name or password, or the account is disabled or locked for a while.";

    public static IServiceCollection AddConsoleSession(this IServiceCollection services)
    {
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section);
        services.AddDataProtection().SetApplicationName("HazardGrid");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>, KeyManagementOptionsSetup>();
        services.AddAuthentication()
            .AddCookie(Scheme, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // Secure behind TLS; the embedded run speaks plain HTTP on loopback
                o.SlidingExpiration = true;
                o.LoginPath = SignInPath;
                o.Events = new CookieAuthenticationEvents
                {
                    // The API answers with a status, never a redirect to a page.
                    OnRedirectToLogin = e => Status(e, StatusCodes.Status401Unauthorized),
                    OnRedirectToAccessDenied = e => Status(e, StatusCodes.Status403Forbidden),
                    OnValidatePrincipal = StillValidAsync,
                };
            })
            .AddPolicyScheme(CredentialScheme, null, o => o.ForwardDefaultSelector = http =>
                GrpcStatusResponse.IsGrpc(http) || http.Request.Headers.Authorization.Count > 0 || !http.Request.Cookies.ContainsKey(CookieName)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : Scheme);
        services.AddOptions<CookieAuthenticationOptions>(Scheme).Configure<IOptions<ConsoleOptions>>((cookie, options) =>
            cookie.ExpireTimeSpan = options.Value.SessionLength);
        return services;
    }

    public static void MapConsoleSession(this WebApplication app)
    {
        app.MapGet(SignInPath, async (HttpContext http) =>
        {
            var session = await http.AuthenticateAsync(Scheme);
            return Page(HttpStatusCode.OK, null, session.Succeeded ? session.Principal.FindFirst(Caller.SubjectClaim)?.Value : null);
        });
        app.MapPost(SignInPath, (Delegate)SignInAsync);
        app.MapPost(SignOutPath, async (HttpContext http) =>
        {
            await http.SignOutAsync(Scheme);
            return http.Request.HasFormContentType ? Results.Redirect(SignInPath, permanent: false) : Results.NoContent();
        });
    }

    private static async Task<IResult> SignInAsync(HttpContext http, IGrainFactory grains, ILoggerFactory logs)
    {
        var form = http.Request.HasFormContentType;
        string? userName = null, password = null, then = null;
        if (form)
        {
            var fields = await http.Request.ReadFormAsync();
            (userName, password, then) = (fields["user_name"].ToString(), fields["password"].ToString(), fields["then"].ToString());
        }
        else if (http.Request.HasJsonContentType())
        {
            try
            {
                var body = await JsonSerializer.DeserializeAsync<SignInRequest>(http.Request.Body, JsonOptions);
                (userName, password) = (body?.UserName, body?.Password);
            }
            catch (JsonException)
            {
                return Results.BadRequest(new { message = "the body is not JSON of the form {\"userName\": …, \"password\": …}" });
            }
        }

        if (string.IsNullOrWhiteSpace(userName) || string.IsNullOrEmpty(password))
        {
            return form ? Page(HttpStatusCode.BadRequest, "请输入用户名和密码。Enter a user name and a password.", null)
                : Results.BadRequest(new { message = "a user name and a password are needed" });
        }

        var result = await grains.Reference<IAccountGrain>(AccountNames.Key(userName)).SignIn(password);
        if (!result.Succeeded)
        {
            logs.CreateLogger(typeof(ConsoleSession)).LogInformation("Sign-in of {User} refused: {Reason}", AccountNames.Key(userName), result.Refusal);
            return form ? Page(HttpStatusCode.Unauthorized, Refusal, null) : Results.Json(new { message = Refusal }, statusCode: StatusCodes.Status401Unauthorized);
        }

        var profile = result.Profile!;
        await http.SignInAsync(Scheme, Principal(profile), new AuthenticationProperties { IsPersistent = false });
        return form
            ? Results.Redirect(ConsolePath + ConsolePage(then), permanent: false) // the page's form goes on to the console
            : Results.Json(new { userName = profile.UserName, displayName = profile.DisplayName, role = RoleClaim(profile.Role), region = profile.Region, office = profile.Office });
    }

    /// <summary>The console page a person was sent to sign in from (its address's fragment, which the
    /// sign-in page's script copies into the form), so a bookmark survives signing in; only a
    /// console route (<c>#/…</c>), nothing that could leave the console.</summary>
    private static string ConsolePage(string? then) =>
        then is { Length: > 2 and <= 512 } && then.StartsWith("#/", StringComparison.Ordinal) && then.All(c => char.IsAsciiLetterOrDigit(c) || "#/_-.:=&?%+".Contains(c))
            ? then
            : "";

    private static ClaimsPrincipal Principal(AccountProfile profile) => new(new ClaimsIdentity(
        [
            new Claim(Caller.SubjectClaim, profile.UserName),
            new Claim(Caller.RoleClaim, RoleClaim(profile.Role)),
            new Claim(Caller.RegionClaim, profile.Region),
            .. profile.Office is { } office ? [new Claim(Caller.OfficeClaim, office)] : Array.Empty<Claim>(), // a sector office's person
        ],
        Scheme, Caller.SubjectClaim, Caller.RoleClaim));

    private static string RoleClaim(AccountRole role) => role == AccountRole.Operator ? "operator" : "supervisor";

    /// <summary>Ends a session whose account was disabled, removed or moved since it signed in: one
    /// grain call per request, which people's pace of requests affords.</summary>
    private static async Task StillValidAsync(CookieValidatePrincipalContext context)
    {
        var caller = Caller.From(context.Principal, context.HttpContext.RequestServices.GetService<Sectors.SectorOffices>());
        var account = caller is null ? null : await context.HttpContext.RequestServices.GetRequiredService<IGrainFactory>()
            .Reference<IAccountGrain>(caller.Subject).Find();
        if (account is null || !account.Enabled || RoleClaim(account.Profile.Role) != Caller.Describe(caller!.Role) || account.Profile.Region != caller.Region
            || account.Profile.Office != caller.Office)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }

    private static Task Status(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private sealed record SignInRequest(string? UserName, string? Password);

    private static IResult Page(HttpStatusCode status, string? message, string? signedInAs) => Results.Content(
        $"""
        <!doctype html>
        <html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>登录 · HazardGrid</title><script src="/console/sign-in.js" defer></script></head>
        <body style="font-family: sans-serif; max-width: 24em; margin: 4em auto">
        <h1>重大事故隐患监管 <small style="font-weight: normal; font-size: 50%">HazardGrid</small></h1>
        {(signedInAs is null ? "" : $"<p>已登录：{WebUtility.HtmlEncode(signedInAs)} · <a href=\"{ConsolePath}\">进入控制台 Open the console</a> <form method=\"post\" action=\"{SignOutPath}\"><button type=\"submit\">退出 Sign out</button></form></p>")}
        {(message is null ? "" : $"<p role=\"alert\" style=\"color: #b00\">{WebUtility.HtmlEncode(message)}</p>")}
        <form method="post" action="{SignInPath}" id="sign-in">
          <input type="hidden" name="then" id="then">
          <p><label>用户名 <small>User name</small><br><input name="user_name" autocomplete="username" required></label></p>
          <p><label>密码 <small>Password</small><br><input name="password" type="password" autocomplete="current-password" required></label></p>
          <p><button type="submit">登录 Sign in</button></p>
        </form>
        </body></html>
        """, "text/html; charset=utf-8", statusCode: (int)status);

    /// <summary>Keeps the cookie keys in <see cref="ConsoleOptions.KeysDirectory"/> when one is set.</summary>
    private sealed class KeyManagementOptionsSetup(IOptions<ConsoleOptions> console) : IConfigureOptions<KeyManagementOptions>
    {
        public void Configure(KeyManagementOptions options)
        {
            if (console.Value.KeysDirectory is { Length: > 0 } directory)
            {
                options.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(directory), NullLoggerFactory.Instance);
            }
        }
    }
}

/// <summary>Refuses a cookie-authenticated request that changes something without the
/// <see cref="ConsoleSession.CrossSiteHeader"/> header (a bearer token is never sent by a browser on
/// its own, so token calls need no such proof).</summary>
public sealed class CrossSiteRequirement : AuthorizationHandler<CrossSiteRequirement>, IAuthorizationRequirement
{
    public const string Reason = "a request with a session cookie that changes something must carry the header 'X-Requested-With' (cross-site protection)";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, CrossSiteRequirement requirement)
    {
        var http = context.Resource as HttpContext;
        var bySession = context.User.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == ConsoleSession.Scheme);
        var safe = http is null || HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method);
        if (!bySession || safe || !string.IsNullOrEmpty(http!.Request.Headers[ConsoleSession.CrossSiteHeader]))
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, Reason));
        }

        return Task.CompletedTask;
    }
}
