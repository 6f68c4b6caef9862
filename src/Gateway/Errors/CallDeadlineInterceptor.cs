using Grpc.Core;
using Grpc.Core.Interceptors;
using HazardGrid.Gateway.Security;
using Microsoft.Extensions.Options;

namespace HazardGrid.Gateway.Errors;

/// <summary>
/// Answers a unary call that runs longer than <see cref="LimitOptions.MaxCallDuration"/> with
/// DEADLINE_EXCEEDED, whatever deadline (or none) the client set, so no caller holds a connection
/// and a slot of the gateway forever. The work itself is not torn down halfway (grain calls run to
/// their end); a write is safe to retry with the same request_id.
/// </summary>
public sealed class CallDeadlineInterceptor(IOptions<LimitOptions> limits) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var max = limits.Value.MaxCallDuration;
        var call = continuation(request, context);
        try
        {
            return await call.WaitAsync(max);
        }
        catch (TimeoutException) when (!call.IsCompleted)
        {
            // Observe the call's own end so a later failure is not reported as unobserved.
            _ = call.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw new RpcException(new Status(StatusCode.DeadlineExceeded,
                $"the call ran longer than the service's limit of {max.TotalSeconds:F0} s; a write may still complete: retry with the same request_id"));
        }
    }
}
