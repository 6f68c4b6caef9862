namespace HazardGrid.Common;

/// <summary>What kind of refusal a domain rule produced; the gateway maps it to a gRPC status.</summary>
public enum DomainErrorKind
{
    /// <summary>The request itself is malformed, whatever the state (INVALID_ARGUMENT).</summary>
    InvalidArgument = 0,

    /// <summary>The resource the request names does not exist (NOT_FOUND).</summary>
    NotFound = 1,

    /// <summary>The request is well formed but the resource's state does not allow it (FAILED_PRECONDITION).</summary>
    FailedPrecondition = 2,

    /// <summary>The caller may not do this, or not here: outside its region, or not its role (PERMISSION_DENIED).</summary>
    PermissionDenied = 3,
}

/// <summary>
/// A request refused by a domain rule. Thrown by grains before any state changes, so a refusal
/// never leaves a partial write behind. <see cref="Field"/> names the offending request field
/// in the gateway's wire terms (e.g. <c>enterprise.credit_code</c>).
/// </summary>
[GenerateSerializer, Alias("hg.DomainException")]
public sealed class DomainException : Exception
{
    public DomainException(DomainErrorKind kind, string field, string reason)
        : base($"{field}: {reason}")
    {
        Kind = kind;
        Field = field;
        Reason = reason;
    }

    [Id(0)] public DomainErrorKind Kind { get; }
    [Id(1)] public string Field { get; }
    [Id(2)] public string Reason { get; }

    public static DomainException Invalid(string field, string reason) => new(DomainErrorKind.InvalidArgument, field, reason);
    public static DomainException NotFound(string field, string reason) => new(DomainErrorKind.NotFound, field, reason);
    public static DomainException Precondition(string field, string reason) => new(DomainErrorKind.FailedPrecondition, field, reason);
    public static DomainException Denied(string field, string reason) => new(DomainErrorKind.PermissionDenied, field, reason);
}
