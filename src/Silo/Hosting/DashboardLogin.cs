using System.Net;
using System.Security.Claims;
using HazardGrid.Gateway.Security;
using Microsoft.AspNetCore.Authentication;

namespace HazardGrid.Silo.Hosting;

/// <summary>
/// The operators' sign-in for the dashboard: a page where an operator pastes a token (minted like
/// any other, role <c>operator</c>), checked by the same rules as the API's credentials, and a
/// cookie session after it. The dashboard's page fetches its data from the same origin and sends
/// no bearer token, so a browser needs the cookie.
/// </summary>
public static class DashboardLogin
{
    public const string LoginPath = "/login";
    public const string CookieScheme = "DashboardSession";
    public static readonly TimeSpan SessionLength = TimeSpan.FromHours(8);

    public static void MapDashboardLogin(this WebApplication app)
    {
        app.MapGet(LoginPath, () => Page(HttpStatusCode.OK, null));
        app.MapPost(LoginPath, (Delegate)SignInAsync);
    }

    private static async Task<IResult> SignInAsync(HttpContext http)
    {
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync() : null;
        var token = form?["token"].ToString();
        if (string.IsNullOrWhiteSpace(token))
        {
            return Page(HttpStatusCode.BadRequest, "Paste an operator token.");
        }

        var (caller, problem) = await SecurityExtensions.ValidateAsync(http.RequestServices, token);
        if (caller is null)
        {
            return Page(HttpStatusCode.Unauthorized, problem!);
        }

        if (caller.Role is not CallerRole.Operator)
        {
            return Page(HttpStatusCode.Forbidden, $"A {Caller.Describe(caller.Role)} token does not open the dashboard: it needs an operator's.");
        }

        var identity = new ClaimsIdentity(
            [new Claim(Caller.SubjectClaim, caller.Subject), new Claim(Caller.RoleClaim, "operator"), new Claim(Caller.RegionClaim, caller.Region)],
            CookieScheme, Caller.SubjectClaim, Caller.RoleClaim);
        await http.SignInAsync(CookieScheme, new ClaimsPrincipal(identity));
        return Results.Redirect("/dashboard/");
    }

    private static IResult Page(HttpStatusCode status, string? message) => Results.Content(
        $"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>HazardGrid operators</title></head>
        <body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
        <h1>HazardGrid dashboard</h1>
        <p>Sign in with an operator token: <code>dotnet run --project src/Silo -- token --role operator --region 37</code></p>
        {(message is null ? "" : $"<p style=\"color: #b00\">{WebUtility.HtmlEncode(message)}</p>")}
        <form method="post" action="{LoginPath}">
          <textarea name="token" rows="6" cols="70" autocomplete="off" required></textarea><br>
          <button type="submit">Sign in</button>
        </form>
        </body></html>
        """, "text/html; charset=utf-8", statusCode: (int)status);
}
