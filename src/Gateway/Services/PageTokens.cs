using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using HazardGrid.Common;
using HazardGrid.Queries;

namespace HazardGrid.Gateway.Services;

/// <summary>
/// The page tokens of the keyset lists (ListHazards, ListEnterprises): opaque to clients,
/// base64url over a small binary layout. Each starts with its kind and a fingerprint of the
/// request that began the listing (parent, filter, order), so a token sent with another request
/// is refused rather than read as a place in a different list.
/// </summary>
public static class PageTokens
{
    private const byte HazardKind = 1;
    private const byte EnterpriseKind = 2;
    private const byte TipKind = 3;
    private const string Field = "page_token";
    private const int CheckLength = 4;

    private static byte[] Check(ReadOnlySpan<byte> content) => SHA256.HashData(content)[..CheckLength];

    /// <summary>The fingerprint of a listing: the parent, then the filter's and order's wire bytes.</summary>
    public static byte[] Fingerprint(string parent, params IMessage?[] parts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(parent));
        foreach (var part in parts)
        {
            hash.AppendData([0]);
            hash.AppendData(part?.ToByteArray() ?? []);
        }

        return hash.GetHashAndReset()[..8];
    }

    public static string Write(HazardListPosition position, byte[] fingerprint) => Write(HazardKind, fingerprint, w =>
    {
        w.Write(position.StartedAt.UtcTicks);
        w.Write(position.AsOf.UtcTicks);
        w.Write(position.Total);
        w.Write(position.Snapshots.Length);
        foreach (var s in position.Snapshots)
        {
            w.Write(s.CityCode);
            w.Write(s.Epoch);
            w.Write(s.Sequence);
        }

        w.Write(position.After.Key);
        w.Write(position.After.HazardId);
    });

    public static HazardListPosition? ReadHazards(string? token, byte[] fingerprint) => Read(token, HazardKind, fingerprint, r =>
    {
        var startedAt = new DateTimeOffset(r.ReadInt64(), TimeSpan.Zero);
        var asOf = new DateTimeOffset(r.ReadInt64(), TimeSpan.Zero);
        var total = r.ReadInt32();
        var count = r.ReadInt32();
        if (count is < 1 or > 64)
        {
            throw new FormatException();
        }

        var snapshots = Enumerable.Range(0, count).Select(_ => new IndexSnapshot(r.ReadString(), r.ReadInt64(), r.ReadInt64())).ToList();
        return new HazardListPosition(startedAt, asOf, [.. snapshots], new HazardCursor(r.ReadInt64(), r.ReadString()), total);
    });

    public static string Write(string afterCreditCode, byte[] fingerprint) => Write(EnterpriseKind, fingerprint, w => w.Write(afterCreditCode));

    public static string? ReadEnterprises(string? token, byte[] fingerprint) => Read(token, EnterpriseKind, fingerprint, r => r.ReadString());

    /// <summary>A tip list's position: the last tip id returned.</summary>
    public static string WriteTips(string afterTipId, byte[] fingerprint) => Write(TipKind, fingerprint, w => w.Write(afterTipId));

    public static string? ReadTips(string? token, byte[] fingerprint) => Read(token, TipKind, fingerprint, r => r.ReadString());

    private static string Write(byte kind, byte[] fingerprint, Action<BinaryWriter> body)
    {
        using var bytes = new MemoryStream();
        using (var w = new BinaryWriter(bytes, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(kind);
            w.Write(fingerprint);
            body(w);
        }

        // A check over the rest, so that a token damaged or edited on its way back is refused
        // rather than read as another place in the list.
        var content = bytes.ToArray();
        return Base64Url.EncodeToString([.. content, .. Check(content)]);
    }

    private static T? Read<T>(string? token, byte kind, byte[] fingerprint, Func<BinaryReader, T> body)
        where T : class
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        T result;
        byte[] issuedFor;
        try
        {
            var bytes = Base64Url.DecodeFromChars(token);
            if (bytes.Length < CheckLength || !bytes.AsSpan(bytes.Length - CheckLength).SequenceEqual(Check(bytes.AsSpan(0, bytes.Length - CheckLength))))
            {
                throw new FormatException();
            }

            using var r = new BinaryReader(new MemoryStream(bytes, 0, bytes.Length - CheckLength), Encoding.UTF8);
            if (r.ReadByte() != kind)
            {
                throw new FormatException();
            }

            issuedFor = r.ReadBytes(fingerprint.Length);
            result = body(r);
            if (r.BaseStream.Position != r.BaseStream.Length)
            {
                throw new FormatException();
            }
        }
        catch (Exception ex) when (ex is FormatException or EndOfStreamException or ArgumentException or IOException)
        {
            throw DomainException.Invalid(Field, "is not a page token this service issued for this method: send the next_page_token of the previous page, or none for the first page");
        }

        return issuedFor.AsSpan().SequenceEqual(fingerprint)
            ? result
            : throw DomainException.Invalid(Field, "was issued for another list: send the same parent, filter and order_by as the first page, or no token to start again");
    }
}
