using System.Reflection;
using HazardGrid.Gateway.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Net.Http.Headers;

namespace HazardGrid.Gateway.Console;

/// <summary>
/// The supervisors' console: static pages and scripts (<c>Console/wwwroot</c>, embedded in this
/// assembly so the standalone gateway, the embedded run and the tests serve the same files with
/// nothing to copy), served under <c>/console/</c> on the HTTP port. The pages read the HTTP/JSON
/// API with the session cookie; the server refuses anything outside the account's scope, so these
/// files hold no data and need no credential themselves, except the page itself, which sends a
/// browser without a session to the sign-in page.
/// </summary>
public static class ConsoleFiles
{
    public const string Root = "/console/";

    /// <summary>No inline script and nothing from elsewhere: the console runs on networks with no
    /// internet and must not run a script injected into a page. Inline style stays allowed for the
    /// sign-in page's style attributes and the chart library's generated elements.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private const string ResourcePrefix = "console/";

    private static readonly Assembly Assembly = typeof(ConsoleFiles).Assembly;

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".md"] = "text/plain; charset=utf-8",
        [""] = "text/plain; charset=utf-8", // LICENSE, NOTICE
    };

    public static void MapConsoleFiles(this WebApplication app)
    {
        // Every console response (the sign-in page included) carries the policy.
        app.Use((http, next) =>
        {
            if (http.Request.Path.StartsWithSegments("/console"))
            {
                http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
                http.Response.Headers.XContentTypeOptions = "nosniff";
                http.Response.Headers["Referrer-Policy"] = "same-origin";
            }

            return next(http);
        });

        // Who the session is: the page roots its region tree at the account's region.
        app.MapGet("/console/me", async (HttpContext http) =>
        {
            var session = await http.AuthenticateAsync(ConsoleSession.Scheme);
            var caller = session.Succeeded ? Caller.From(session.Principal) : null;
            return caller is null
                ? Results.Json(new { message = "not signed in" }, statusCode: StatusCodes.Status401Unauthorized)
                : Results.Json(new { userName = caller.Subject, role = Caller.Describe(caller.Role), region = caller.Region });
        });

        // One route for the page and its files ("/console" and "/console/" are one route template).
        app.MapGet("/console/{**path}", async (HttpContext http, string? path) =>
        {
            if (!string.IsNullOrEmpty(path))
            {
                return Serve(http, path);
            }

            if (!http.Request.Path.Value!.EndsWith('/'))
            {
                return Results.Redirect(Root, permanent: false);
            }

            var session = await http.AuthenticateAsync(ConsoleSession.Scheme);
            return session.Succeeded ? Serve(http, "index.html") : Results.Redirect(ConsoleSession.SignInPath, permanent: false);
        });
    }

    private static IResult Serve(HttpContext http, string path)
    {
        // Resource names are fixed at build time: a path that names none (.., absolute, unknown) is 404.
        var stream = Assembly.GetManifestResourceStream(ResourcePrefix + path);
        if (stream is null)
        {
            return Results.NotFound();
        }

        var type = ContentTypes.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
        // The files change only with a new build; the page itself is revalidated so a new build's
        // scripts are picked up at the next load.
        http.Response.Headers.CacheControl = path == "index.html" ? "no-cache" : "private, max-age=300";
        return Results.Stream(stream, type);
    }
}
