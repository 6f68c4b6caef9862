namespace HazardGrid.Common;

/// <summary>
/// Who asked for a write and under which idempotency key. <see cref="Actor"/> is the subject of
/// the caller's credential (a city or county system, or a supervisor); <see cref="RequestId"/> is the client's key: a retry with
/// the same id returns the first result and changes nothing.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.WriteRequest")]
public sealed record WriteRequest(string RequestId, string Actor)
{
    /// <summary>Where the caller may write; null for the service's own writes (the escalation
    /// ladder) and for callers from before credentials, which are not limited. A body member with
    /// the next id (not a positional one) so the record's existing ids stay as they are.</summary>
    [Id(2)] public WriteScope? Scope { get; init; }

    public static WriteRequest Create(string? requestId, string? actor, string actorField = "x-system-id") => new(
        TextLimits.Required(requestId, "request_id", TextLimits.RequestId),
        TextLimits.Required(actor, actorField, TextLimits.Actor));
}
