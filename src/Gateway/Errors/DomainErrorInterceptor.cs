using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using HazardGrid.Common;

namespace HazardGrid.Gateway.Errors;

/// <summary>
/// Turns domain refusals into gRPC statuses with a machine-readable detail naming the field
/// (google.rpc.BadRequest, PreconditionFailure or ResourceInfo), and infrastructure failures
/// into UNAVAILABLE so clients know a retry with the same request_id is safe.
/// </summary>
public sealed class DomainErrorInterceptor(ILogger<DomainErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (Translate(ex, context) is { } translated)
        {
            throw translated;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (Translate(ex, context) is { } translated)
        {
            throw translated;
        }
    }

    private RpcException? Translate(Exception ex, ServerCallContext context)
    {
        if (ex is DomainException domain)
        {
            return ToRpcException(domain);
        }

        if (!IsTransient(ex) || context.CancellationToken.IsCancellationRequested)
        {
            return null;
        }

        logger.LogWarning(ex, "Transient failure in {Method}", context.Method);
        return new Google.Rpc.Status
        {
            Code = (int)Code.Unavailable,
            Message = $"the service is temporarily unavailable ({ex.GetType().Name}); retry with the same request_id",
        }.ToRpcException();
    }

    public static RpcException ToRpcException(DomainException ex)
    {
        var status = new Google.Rpc.Status { Message = ex.Message };
        switch (ex.Kind)
        {
            case DomainErrorKind.InvalidArgument:
                status.Code = (int)Code.InvalidArgument;
                status.Details.Add(Any.Pack(new BadRequest
                {
                    FieldViolations = { new BadRequest.Types.FieldViolation { Field = ex.Field, Description = ex.Reason } },
                }));
                break;
            case DomainErrorKind.NotFound:
                status.Code = (int)Code.NotFound;
                status.Details.Add(Any.Pack(new ResourceInfo { ResourceName = ex.Field, Description = ex.Reason }));
                break;
            default:
                status.Code = (int)Code.FailedPrecondition;
                status.Details.Add(Any.Pack(new PreconditionFailure
                {
                    Violations = { new PreconditionFailure.Types.Violation { Type = "STATE", Subject = ex.Field, Description = ex.Reason } },
                }));
                break;
        }

        return status.ToRpcException();
    }

    /// <summary>
    /// Whether a failure is the infrastructure's (a silo gone, the database down, a timeout) rather
    /// than a bug. Clients retry these with the same request id, which is always safe here, so
    /// anything that is not plainly a programming error is reported as UNAVAILABLE.
    /// </summary>
    private static bool IsTransient(Exception ex) => ex switch
    {
        AggregateException agg => agg.InnerExceptions.All(IsTransient),
        NullReferenceException or ArgumentException or InvalidCastException or NotImplementedException
            or NotSupportedException or IndexOutOfRangeException or KeyNotFoundException or FormatException => false,
        _ => true,
    };
}
