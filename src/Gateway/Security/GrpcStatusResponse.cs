using System.Globalization;
using Google.Protobuf;

namespace HazardGrid.Gateway.Security;

/// <summary>
/// Answers a gRPC call that never reaches its service (no credential, too many calls) with a
/// proper gRPC status instead of a bare HTTP 401 or 429, which clients would only report as
/// "bad gRPC response": a trailers-only response carrying the code, a message and the
/// google.rpc.Status with its details, as the services' own errors do. An HTTP/JSON call (under
/// <c>/v1/</c>) gets the same google.rpc.Status as a JSON body with the HTTP status the transcoder
/// uses for that code, so curl users see the same errors as gRPC clients.
/// </summary>
public static class GrpcStatusResponse
{
    public static bool IsGrpc(HttpContext http) =>
        http.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>An HTTP/JSON call of the API (the transcoded routes all start with /v1/).</summary>
    public static bool IsJsonApi(HttpContext http) =>
        http.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal);

    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithTypeRegistry(
        Google.Protobuf.Reflection.TypeRegistry.FromMessages(Google.Rpc.ErrorInfo.Descriptor, Google.Rpc.RetryInfo.Descriptor)));

    public static Task WriteJsonAsync(HttpContext http, Google.Rpc.Status status)
    {
        var response = http.Response;
        response.StatusCode = status.Code switch
        {
            (int)Grpc.Core.StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
            (int)Grpc.Core.StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
            (int)Grpc.Core.StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
            _ => StatusCodes.Status500InternalServerError,
        };
        if (status.Code == (int)Grpc.Core.StatusCode.Unauthenticated)
        {
            response.Headers.WWWAuthenticate = "Bearer";
        }

        response.ContentType = "application/json; charset=utf-8";
        return response.WriteAsync(Json.Format(status));
    }

    public static Task WriteAsync(HttpContext http, Google.Rpc.Status status)
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = status.Code.ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(status.Message);
        response.Headers["grpc-status-details-bin"] = Convert.ToBase64String(status.ToByteArray());
        return Task.CompletedTask;
    }
}
