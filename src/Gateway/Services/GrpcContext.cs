using Grpc.Core;
using HazardGrid.Common;

namespace HazardGrid.Gateway.Services;

internal static class GrpcContext
{
    /// <summary>The header in which a pushing system names itself; recorded on every trail entry.</summary>
    public const string SystemIdHeader = "x-system-id";

    public static WriteRequest Write(this ServerCallContext context, string? requestId) =>
        WriteRequest.Create(requestId, context.RequestHeaders.GetValue(SystemIdHeader));
}
