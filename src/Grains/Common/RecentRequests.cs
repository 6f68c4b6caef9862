using System.Collections.Immutable;

namespace HazardGrid.Common;

/// <summary>
/// The most recent request ids a grain has answered, with what it needs to answer a retry.
/// Bounded so that a long-lived grain's persisted payload does not grow without limit: a retry
/// older than the last <see cref="Capacity"/> writes to the same grain is treated as new.
/// </summary>
[GenerateSerializer, Immutable, Alias("hg.RecentRequests`1")]
public sealed record RecentRequests<T>(ImmutableList<RecordedRequest<T>> Entries)
{
    public const int Capacity = 256;

    public static RecentRequests<T> Empty { get; } = new(ImmutableList<RecordedRequest<T>>.Empty);

    /// <summary>Finds an earlier answer to this request id. A reused id with other content is refused.</summary>
    public RecordedRequest<T>? Find(string requestId, string fingerprint)
    {
        var entry = Entries.Find(e => e.RequestId == requestId);
        if (entry is not null && entry.Fingerprint != fingerprint)
        {
            throw DomainException.Invalid("request_id", $"'{requestId}' was already used for a different request");
        }

        return entry;
    }

    public RecentRequests<T> Add(RecordedRequest<T> entry)
    {
        var entries = Entries.RemoveAll(e => e.RequestId == entry.RequestId).Add(entry);
        return new(entries.Count > Capacity ? entries.RemoveRange(0, entries.Count - Capacity) : entries);
    }
}

[GenerateSerializer, Immutable, Alias("hg.RecordedRequest`1")]
public sealed record RecordedRequest<T>(string RequestId, string Fingerprint, T Outcome);
