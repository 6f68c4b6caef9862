using System.Net;
using System.Net.Http.Json;
using HazardGrid.Tests.JsonApi;

namespace HazardGrid.Tests.Accounts;

/// <summary>A browser as far as the service can tell: a cookie jar, no Authorization header, and the
/// X-Requested-With header only when asked (the console's own scripts send it).</summary>
public sealed class ConsoleBrowser : IDisposable
{
    private readonly HttpClient _http;

    public ConsoleBrowser(Uri address)
    {
        Cookies = new CookieContainer();
        _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, UseCookies = true, AllowAutoRedirect = false })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public CookieContainer Cookies { get; }

    /// <summary>The Set-Cookie header of the last sign-in, to look at its attributes.</summary>
    public string? SetCookie { get; private set; }

    public async Task<JsonAnswer> SignIn(string userName, string password)
    {
        using var response = await _http.PostAsJsonAsync("/console/sign-in", new { userName, password });
        SetCookie = response.Headers.TryGetValues("Set-Cookie", out var values) ? string.Join("\n", values) : null;
        return await JsonAnswer.Read(response);
    }

    public async Task<HttpResponseMessage> SignInWithForm(string userName, string password) =>
        await _http.PostAsync("/console/sign-in", new FormUrlEncodedContent(new Dictionary<string, string> { ["user_name"] = userName, ["password"] = password }));

    public async Task<JsonAnswer> Get(string path)
    {
        using var response = await _http.GetAsync(path);
        return await JsonAnswer.Read(response);
    }

    public async Task<JsonAnswer> Post(string path, object body, bool crossSiteHeader)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (crossSiteHeader)
        {
            request.Headers.Add("X-Requested-With", "XMLHttpRequest");
        }

        using var response = await _http.SendAsync(request);
        return await JsonAnswer.Read(response);
    }

    public string? SessionCookie(Uri address) => Cookies.GetCookies(address)["hazardgrid-session"]?.Value;

    public void Dispose() => _http.Dispose();
}
