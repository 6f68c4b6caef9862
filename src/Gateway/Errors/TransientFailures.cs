using System.Data.Common;
using System.Net.Sockets;
using Orleans.Serialization;
using Orleans.Storage;

namespace HazardGrid.Gateway.Errors;

/// <summary>
/// Which failures are the infrastructure's and pass (a silo gone, the database unreachable, a
/// timeout, the cluster shutting down): the client is told UNAVAILABLE and retries with the same
/// request_id. The list is of what is known to be transient; everything else (a bug, a corrupt
/// record, a failure nobody foresaw) is not, and the client is told INTERNAL rather than invited
/// to retry forever.
/// </summary>
public static class TransientFailures
{
    /// <summary>
    /// Transient failures from the Orleans runtime that the gateway's Orleans client knows by type.
    /// SiloUnavailableException derives from OrleansMessageRejectionException (a message the target
    /// silo or gateway could not take: dead, shutting down, overloaded).
    /// </summary>
    private static readonly Type[] s_orleansTransient =
    [
        typeof(OrleansMessageRejectionException),
        typeof(GatewayTooBusyException),
        typeof(ClientNotAvailableException),
        typeof(OrleansLifecycleCanceledException),
        typeof(LimitExceededException),
        typeof(Orleans.Runtime.Messaging.ConnectionFailedException),
        // An ETag conflict: Orleans deactivates the grain, and a retry runs on a fresh activation
        // that reads the store.
        typeof(InconsistentStateException),
    ];

    /// <summary>
    /// The same by full name, for types that the gateway cannot name (silo-only assemblies) or that
    /// reach it as Orleans' stand-in for an exception type it could not deserialize
    /// (<see cref="UnavailableExceptionFallbackException.ExceptionType"/>).
    /// </summary>
    private static readonly HashSet<string> s_transientTypeNames = new(StringComparer.Ordinal)
    {
        "Orleans.Runtime.SiloUnavailableException",
        "Orleans.Runtime.OrleansMessageRejectionException",
        "Orleans.Runtime.GatewayTooBusyException",
        "Orleans.Runtime.ClientNotAvailableException",
        "Orleans.Runtime.OrleansLifecycleCanceledException",
        "Orleans.Runtime.LimitExceededException",
        "Orleans.Runtime.OrleansClusterConnectivityCheckFailedException",
        "Orleans.Runtime.Messaging.ConnectionFailedException",
        "Orleans.Storage.InconsistentStateException",
        "System.TimeoutException",
        "System.IO.IOException",
        "System.Net.Sockets.SocketException",
        "System.Data.Common.DbException",
        "Microsoft.Data.Sqlite.SqliteException",
    };

    /// <summary>
    /// Database drivers whose every exception is a database failure; PostgreSQL's driver is the
    /// production store's (NpgsqlException and its PostgresException, both DbExceptions).
    /// </summary>
    private static readonly string[] s_databaseNamespaces = ["Npgsql."];

    public static bool IsTransient(Exception ex) => IsTransient(ex, depth: 0);

    private static bool IsTransient(Exception ex, int depth)
    {
        if (depth > 8)
        {
            return false;
        }

        switch (ex)
        {
            case AggregateException aggregate:
                return aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(e => IsTransient(e, depth + 1));

            // The database: connection refused or dropped, failover, a statement timeout. Npgsql's
            // NpgsqlException (the gateway references Npgsql) and SQLite's SqliteException are both
            // DbExceptions.
            case DbException:
            case TimeoutException:
            case IOException:
            case SocketException:
                return true;

            // The caller's own cancellation never gets here (the interceptor lets it pass): this is
            // the server cancelling, e.g. a silo shutting down or a request timing out inside it.
            case OperationCanceledException:
                return true;

            // Orleans' stand-in for an exception whose type the gateway cannot rebuild (Orleans
            // admits only known types when it deserializes an exception). It carries the original
            // type's name: transient when that names a transient failure or the database driver.
            case UnavailableExceptionFallbackException fallback:
                return NamesTransient(fallback.ExceptionType)
                    || (fallback.InnerException is { } inner && IsTransient(inner, depth + 1));

            // A serialization failure is a bug (a type without a codec) unless it is the transport
            // failing to carry a database failure across the silo boundary: an Npgsql exception that
            // could not be serialized surfaces as CodecNotFoundException/SerializerException naming
            // the Npgsql type, or wrapping it. Decision: those stay UNAVAILABLE (the database failed,
            // a retry is right); every other serialization failure is INTERNAL.
            case CodecNotFoundException or SerializerException:
                return MentionsDatabaseDriver(ex.Message)
                    || (ex.InnerException is { } wrapped && IsTransient(wrapped, depth + 1));
        }

        if (s_orleansTransient.Any(t => t.IsInstanceOfType(ex)) || NamesTransient(ex.GetType().FullName))
        {
            return true;
        }

        // The Orleans runtime wraps some failures (activation, storage) in a plain OrleansException:
        // it is as transient as what it wraps.
        return ex is OrleansException && ex.InnerException is { } cause && IsTransient(cause, depth + 1);
    }

    /// <summary>A type name (possibly assembly-qualified) that names a transient failure.</summary>
    private static bool NamesTransient(string? typeName)
    {
        if (string.IsNullOrEmpty(typeName))
        {
            return false;
        }

        var comma = typeName.IndexOf(',', StringComparison.Ordinal);
        var name = (comma < 0 ? typeName : typeName[..comma]).Trim();
        return s_transientTypeNames.Contains(name) || s_databaseNamespaces.Any(ns => name.StartsWith(ns, StringComparison.Ordinal));
    }

    private static bool MentionsDatabaseDriver(string message) =>
        s_databaseNamespaces.Any(ns => message.Contains(ns, StringComparison.Ordinal));
}
