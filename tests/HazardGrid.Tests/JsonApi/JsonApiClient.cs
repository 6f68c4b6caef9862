using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf;
using HazardGrid.Tests.Infrastructure;

namespace HazardGrid.Tests.JsonApi;

/// <summary>
/// The API as HTTP/JSON over a real HTTP/1.1 connection, as curl or a browser script would call it:
/// hand-written JSON bodies, the caller's credential in the <c>Authorization: Bearer</c> header
/// (a province-wide system token unless given one).
/// </summary>
public sealed class JsonApiClient : IDisposable
{
    private readonly HttpClient _http;

    public JsonApiClient(Uri address, string? token = null)
    {
        // The one place a JSON test's connection is made: every JSON test sends this credential.
        _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestVersion = HttpVersion.Version11;
        _http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Bearer", token ?? TestTokens.Mint("system", TestTokens.Province, ClusterFixture.SystemId));
    }

    public HttpClient Http => _http;

    /// <summary>POSTs <paramref name="body"/> as JSON (Content-Type application/json).</summary>
    public async Task<JsonAnswer> Post(string path, object body)
    {
        using var response = await _http.PostAsJsonAsync(path, body);
        return await JsonAnswer.Read(response);
    }

    public async Task<JsonAnswer> Get(string path)
    {
        using var response = await _http.GetAsync(path);
        return await JsonAnswer.Read(response);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>An HTTP status and its JSON body.</summary>
public sealed record JsonAnswer(HttpStatusCode Status, string Text)
{
    public JsonElement Json => JsonDocument.Parse(Text).RootElement;

    /// <summary>The body as a proto message, by protobuf's own JSON parser, to compare with gRPC's answer.</summary>
    public T As<T>() where T : IMessage<T>, new() => JsonParser.Default.Parse<T>(Text);

    public static async Task<JsonAnswer> Read(HttpResponseMessage response) =>
        new(response.StatusCode, await response.Content.ReadAsStringAsync());

    public override string ToString() => $"{(int)Status} {Text}";
}
