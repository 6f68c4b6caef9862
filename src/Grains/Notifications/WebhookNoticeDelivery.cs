using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HazardGrid.Hazards;

namespace HazardGrid.Notifications;

/// <summary>
/// The shipped <see cref="INoticeDelivery"/>: POSTs each notice as JSON to the configured URL,
/// signed so the receiver can tell it came from HazardGrid and was not altered or replayed. The
/// scheme (README, "Proof of notification"):
/// <list type="bullet">
/// <item><c>X-HazardGrid-Timestamp</c>: Unix seconds at sending;</item>
/// <item><c>X-HazardGrid-Signature</c>: <c>v1=</c> and the lower-case hex HMAC-SHA256, keyed with the
/// UTF-8 secret, of the timestamp, a full stop, and the body's bytes exactly as received;</item>
/// <item><c>Idempotency-Key</c>: the notice id, the same on every retry, so the receiver sends one
/// message per notice; <c>X-HazardGrid-Attempt</c>: the attempt's number.</item>
/// </list>
/// The body is the same on every attempt; only the timestamp and signature change.
/// </summary>
public sealed class WebhookNoticeDelivery : INoticeDelivery, IDisposable
{
    public const string TimestampHeader = "X-HazardGrid-Timestamp";
    public const string SignatureHeader = "X-HazardGrid-Signature";
    public const string IdempotencyHeader = "Idempotency-Key";
    public const string AttemptHeader = "X-HazardGrid-Attempt";

    private readonly HttpClient _http;
    private readonly Uri _url;
    private readonly byte[] _secret;
    private readonly TimeProvider _time;

    public WebhookNoticeDelivery(NoticeWebhookOptions options, TimeProvider? time = null)
    {
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _url = new Uri(options.Url!);
        _secret = Encoding.UTF8.GetBytes(options.Secret!);
        _time = time ?? TimeProvider.System;
        // Connections are recycled so a gateway behind DNS that moves is found again.
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { Timeout = options.Timeout };
    }

    public bool Enabled => true;

    public async Task<string?> Send(Notification notice, int attempt, CancellationToken cancellationToken)
    {
        var body = Body(notice);
        // Real time, not the domain clock: the receiver checks it against its own clock.
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(TimestampHeader, timestamp);
        request.Headers.Add(SignatureHeader, Sign(_secret, timestamp, body));
        request.Headers.Add(IdempotencyHeader, notice.Id);
        request.Headers.Add(AttemptHeader, attempt.ToString(CultureInfo.InvariantCulture));
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {_http.Timeout.TotalSeconds:0.###} s";
        }
        catch (HttpRequestException failed)
        {
            // The transport's words (refused, reset, name not resolved); no secret is in them.
            return failed.HttpRequestError is HttpRequestError.Unknown ? failed.Message : $"{failed.HttpRequestError}: {failed.Message}";
        }
    }

    /// <summary><c>v1=</c> and the hex HMAC-SHA256 of <c>{timestamp}.{body}</c>.</summary>
    public static string Sign(byte[] secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var signed = new byte[timestamp.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(timestamp, signed);
        signed[timestamp.Length] = (byte)'.';
        body.CopyTo(signed.AsSpan(timestamp.Length + 1));
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, signed));
    }

    /// <summary>The notice as the webhook's JSON: field names as in the API's Notification message,
    /// enums as their proto names without the prefix, times in RFC 3339 UTC.</summary>
    public static byte[] Body(Notification notice)
    {
        var key = HazardKey.Parse(notice.HazardId);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", notice.Id);
            json.WriteString("hazard", $"enterprises/{key.CreditCode}/hazards/{key.Number}");
            json.WriteString("kind", ProtoName(notice.Kind.ToString()));
            json.WriteString("recipient_role", ProtoName(notice.Role.ToString()));
            json.WriteString("recipient_name", notice.RecipientName);
            json.WriteString("recipient_phone", notice.Phone ?? string.Empty);
            json.WriteString("message", notice.Message);
            json.WriteString("create_time", notice.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary><c>ActualController</c> → <c>ACTUAL_CONTROLLER</c>.</summary>
    private static string ProtoName(string member)
    {
        var name = new StringBuilder(member.Length + 4);
        foreach (var c in member)
        {
            if (char.IsUpper(c) && name.Length > 0)
            {
                name.Append('_');
            }

            name.Append(char.ToUpperInvariant(c));
        }

        return name.ToString();
    }

    public void Dispose() => _http.Dispose();
}
