namespace HazardGrid.Common;

/// <summary>
/// Who asked for a write and under which idempotency key. <see cref="Actor"/> is the pushing
/// system (a city or county system id); <see cref="RequestId"/> is the client's key: a retry with
/// the same id returns the first result and changes nothing.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.WriteRequest")]
public sealed record WriteRequest([property: Id(0)] string RequestId, [property: Id(1)] string Actor)
{
    public static WriteRequest Create(string? requestId, string? actor) => new(
        TextLimits.Required(requestId, "request_id", TextLimits.RequestId),
        TextLimits.Required(actor, "x-system-id", TextLimits.Actor));
}
