using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using HazardGrid.Common;

namespace HazardGrid.Gateway.Errors;

/// <summary>
/// Turns every failure of a call into a status a client can act on: domain refusals into
/// INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION or PERMISSION_DENIED with a machine-readable
/// detail naming the field (google.rpc.BadRequest, ResourceInfo, PreconditionFailure, or ErrorInfo
/// with reason CALLER_NOT_ALLOWED and the field in its metadata); failures known to be
/// transient (a silo gone, the database unreachable, a timeout) into UNAVAILABLE, which tells the
/// client a retry with the same request_id is safe and worth making; and anything else, which is
/// a fault of the service, into INTERNAL with a generic message and an error id, the exception
/// itself going to the log only.
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

    /// <summary>The status for a failure, or null to let it pass as it is (an RpcException already
    /// carries its status; after the client cancelled, nobody is listening).</summary>
    private RpcException? Translate(Exception ex, ServerCallContext context)
    {
        if (ex is DomainException domain)
        {
            return ToRpcException(domain);
        }

        if (ex is RpcException || context.CancellationToken.IsCancellationRequested)
        {
            return null;
        }

        var errorId = ErrorId(context);
        if (TransientFailures.IsTransient(ex))
        {
            logger.LogWarning(ex, "Transient failure in {Method} (error id {ErrorId})", context.Method, errorId);
            return new Google.Rpc.Status
            {
                Code = (int)Code.Unavailable,
                Message = $"the service is temporarily unavailable ({ex.GetType().Name}); retry with the same request_id",
            }.ToRpcException();
        }

        logger.LogError(ex, "Internal error in {Method} (error id {ErrorId})", context.Method, errorId);
        return new Google.Rpc.Status
        {
            Code = (int)Code.Internal,
            Message = $"internal error (error id {errorId}); the operators can find it in the service log",
        }.ToRpcException();
    }

    /// <summary>The id the log entry and the client's message share: ASP.NET Core's trace identifier
    /// of the call when there is one.</summary>
    private static string ErrorId(ServerCallContext context)
    {
        try
        {
            return context.GetHttpContext().TraceIdentifier;
        }
        catch (InvalidOperationException)
        {
            return Guid.NewGuid().ToString("N")[..16];
        }
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
            case DomainErrorKind.PermissionDenied:
                status.Code = (int)Code.PermissionDenied;
                status.Details.Add(Any.Pack(new ErrorInfo { Reason = "CALLER_NOT_ALLOWED", Domain = "hazardgrid", Metadata = { ["field"] = ex.Field } }));
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
}
