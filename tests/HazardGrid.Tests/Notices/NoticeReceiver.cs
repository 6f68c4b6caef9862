using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace HazardGrid.Tests.Notices;

/// <summary>One webhook call as the receiver saw it: the headers of the signing scheme and the body's bytes.</summary>
public sealed record ReceivedCall(string? NoticeId, string? Attempt, string? Timestamp, string? Signature, string? ContentType, byte[] Body, int Answered);

/// <summary>
/// A real HTTP receiver (Kestrel on a free loopback port) standing in for an SMS gateway. It
/// answers each call by a script chosen per enterprise (the notice id starts with the credit
/// code): a test scripts its own fresh enterprise, so tests sharing the receiver do not meet.
/// Unscripted notices are accepted.
/// </summary>
public sealed class NoticeReceiver : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Func<int, HttpStatusCode>> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ReceivedCall> _calls = new();
    private WebApplication? _app;

    public Uri Url { get; private set; } = null!;

    /// <summary>Every call so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedCall> Calls => [.. _calls];

    /// <summary>Answers calls for <paramref name="creditCode"/>'s notices with the status for the call's
    /// number (1 for the first call of a notice, as counted by the receiver).</summary>
    public void Script(string creditCode, Func<int, HttpStatusCode> answer) => _scripts[creditCode] = answer;

    public IReadOnlyList<ReceivedCall> CallsFor(string noticeId) => [.. _calls.Where(c => c.NoticeId == noticeId)];

    public async Task StartAsync()
    {
        var web = WebApplication.CreateSlimBuilder();
        web.Logging.SetMinimumLevel(LogLevel.Warning);
        ListenOptions? bound = null;
        web.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => (bound = l).Protocols = HttpProtocols.Http1));
        _app = web.Build();
        _app.MapPost("/notices", async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var headers = context.Request.Headers;
            var noticeId = headers["Idempotency-Key"].ToString();
            var code = noticeId.Split('/')[0];
            var seen = _calls.Count(c => c.NoticeId == noticeId) + 1;
            var status = _scripts.TryGetValue(code, out var script) ? script(seen) : HttpStatusCode.OK;
            _calls.Enqueue(new ReceivedCall(noticeId, headers["X-HazardGrid-Attempt"], headers["X-HazardGrid-Timestamp"], headers["X-HazardGrid-Signature"],
                context.Request.ContentType, buffer.ToArray(), (int)status));
            context.Response.StatusCode = (int)status;
        });
        await _app.StartAsync();
        Url = new Uri($"http://{bound!.IPEndPoint}/notices");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
