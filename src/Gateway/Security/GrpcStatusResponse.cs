using System.Globalization;
using Google.Protobuf;

namespace HazardGrid.Gateway.Security;

/// <summary>
/// Answers a gRPC call that never reaches its service (no credential, too many calls) with a
/// proper gRPC status instead of a bare HTTP 401 or 429, which clients would only report as
/// "bad gRPC response": a trailers-only response carrying the code, a message and the
/// google.rpc.Status with its details, as the services' own errors do.
/// </summary>
public static class GrpcStatusResponse
{
    public static bool IsGrpc(HttpContext http) =>
        http.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

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
