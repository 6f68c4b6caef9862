using System.Security.Cryptography;
using System.Text.Json;

namespace HazardGrid.Common;

/// <summary>
/// What makes two writes under one request id the same write (a retry) rather than a reused id:
/// a hash of the request message itself, its type and every value it carries, serialized. No
/// message writes its own fingerprint, so a field added to a message is part of it by itself; a
/// member that is not part of what the caller asked (who is notified, say) is marked
/// <see cref="System.Text.Json.Serialization.JsonIgnoreAttribute"/>.
/// </summary>
public static class RequestFingerprint
{
    private const string Prefix = "sha256:";

    public static string Of(object message)
    {
        var type = message.GetType();
        var json = JsonSerializer.SerializeToUtf8Bytes(message, type);
        return Prefix + Convert.ToHexString(SHA256.HashData([.. System.Text.Encoding.UTF8.GetBytes(type.FullName + "\n"), .. json]));
    }

    /// <summary>Whether a stored fingerprint and a request's agree. Fingerprints stored before they
    /// were hashes (plain text, from the first store layout) cannot be recomputed: for those the
    /// request id alone decides, as it did then for any retry of the same content.</summary>
    public static bool Matches(string stored, string computed) =>
        stored == computed || !stored.StartsWith(Prefix, StringComparison.Ordinal);
}
