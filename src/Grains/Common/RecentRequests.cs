using System.Collections.Immutable;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace HazardGrid.Common;

/// <summary>
/// The one idempotency mechanism of every grain that takes writes: the most recent request ids it
/// answered, each with the fingerprint of what was asked (<see cref="RequestFingerprint"/>) and the
/// answer it gave. A retry under a known id answers the first result and changes nothing; the same
/// id with other content is refused. Bounded to the latest <see cref="Capacity"/> writes so that a
/// long-lived grain's persisted payload stays small; an id that fell out of that window is still
/// recognised (by a 64-bit hash) and refused as too old to answer, rather than applied again.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.RecentRequests`1")]
public sealed record RecentRequests<T>([property: Id(0)] ImmutableList<RecordedRequest<T>> Entries)
{
    public const int Capacity = 256;

    public static RecentRequests<T> Empty { get; } = new(ImmutableList<RecordedRequest<T>>.Empty);

    /// <summary>Hashes of the ids that fell out of <see cref="Entries"/>. Null in state stored before it existed.</summary>
    [Id(1)] public ImmutableHashSet<ulong>? Forgotten { get; init; }

    /// <summary>Finds the earlier answer to this request id, or null for a new request. A reused id
    /// with other content, or one too old to answer, is refused.</summary>
    public RecordedRequest<T>? Find(string requestId, string fingerprint)
    {
        var entry = Entries.Find(e => e.RequestId == requestId);
        if (entry is not null && !RequestFingerprint.Matches(entry.Fingerprint, fingerprint))
        {
            throw DomainException.Invalid("request_id", $"'{requestId}' was already used for a different request");
        }

        if (entry is null && Forgotten is { } forgotten && forgotten.Contains(Hash(requestId)))
        {
            throw DomainException.Precondition(
                "request_id",
                $"'{requestId}' answered a write more than {Capacity} writes ago; its answer is no longer kept, so it cannot be replayed: read the resource to see where it stands");
        }

        return entry;
    }

    public RecentRequests<T> Add(RecordedRequest<T> entry)
    {
        var entries = Entries.RemoveAll(e => e.RequestId == entry.RequestId).Add(entry);
        if (entries.Count <= Capacity)
        {
            return this with { Entries = entries };
        }

        var dropped = entries.Take(entries.Count - Capacity).Select(e => Hash(e.RequestId));
        return new(entries.RemoveRange(0, entries.Count - Capacity)) { Forgotten = (Forgotten ?? []).Union(dropped) };
    }

    private static ulong Hash(string requestId) => BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(requestId)));
}

[GenerateSerializer, Immutable, Alias("hg.RecordedRequest`1")]
public sealed record RecordedRequest<T>([property: Id(0)] string RequestId, [property: Id(1)] string Fingerprint, [property: Id(2)] T Outcome);
