using System.Net.Sockets;
using HazardGrid.Gateway.Errors;
using Npgsql;
using Orleans.Serialization;
using Orleans.Storage;
using Xunit;

namespace HazardGrid.Tests.GrpcApi;

/// <summary>
/// Only failures known to be transient reach clients as UNAVAILABLE ("retry with the same
/// request_id"); everything else is INTERNAL, so a bug is not answered with an invitation to
/// retry forever.
/// </summary>
public sealed class TransientFailureTests
{
    public static TheoryData<Exception> Transient => new()
    {
        new SiloUnavailableException(),
        new GatewayTooBusyException(),
        new TimeoutException(),
        new NpgsqlException("connection refused", new SocketException((int)SocketError.ConnectionRefused)),
        new InconsistentStateException("etag mismatch"),
        new IOException("the disk went away"),
        new OperationCanceledException(),
        new AggregateException(new TimeoutException(), new SiloUnavailableException()),
        new OrleansException("activation failed", new NpgsqlException("connection reset")),
        Fallback("Npgsql.NpgsqlException, Npgsql"),
        Fallback("Npgsql.PostgresException,Npgsql"),
        Fallback("Orleans.Runtime.OrleansClusterConnectivityCheckFailedException, Orleans.Runtime"),
        new CodecNotFoundException("Could not find a codec for type Npgsql.PostgresException."),
    };

    public static TheoryData<Exception> NotTransient => new()
    {
        new InvalidOperationException("Cannot convert a Timestamp outside the range"),
        new NullReferenceException(),
        new ArgumentOutOfRangeException("r"),
        new KeyNotFoundException(),
        new AggregateException(new TimeoutException(), new InvalidOperationException()),
        new OrleansException("a bug"),
        Fallback("HazardGrid.SomeGrainBug, HazardGrid.Grains"),
        new CodecNotFoundException("Could not find a codec for type HazardGrid.Hazards.Something."),
    };

    [Theory]
    [MemberData(nameof(Transient))]
    public void Infrastructure_failures_are_transient(Exception ex) => Assert.True(TransientFailures.IsTransient(ex), ex.ToString());

    [Theory]
    [MemberData(nameof(NotTransient))]
    public void Everything_else_is_not(Exception ex) => Assert.False(TransientFailures.IsTransient(ex), ex.ToString());

    /// <summary>Orleans' stand-in for an exception whose type the receiver cannot rebuild; the
    /// codec sets its type name, which it keeps internal.</summary>
    private static UnavailableExceptionFallbackException Fallback(string exceptionType)
    {
        var fallback = new UnavailableExceptionFallbackException("remote failure", null!);
        typeof(UnavailableExceptionFallbackException).GetProperty(nameof(UnavailableExceptionFallbackException.ExceptionType))!.SetValue(fallback, exceptionType);
        return fallback;
    }
}
