using System.Globalization;
using HazardGrid.Common;

namespace HazardGrid.Gateway.Services;

/// <summary>
/// List paging (AIP-158): <c>page_size</c> 1–500, 50 when unset; <c>page_token</c> is opaque to
/// clients (here an offset into the ordered list, which is stable while the list does not change).
/// </summary>
public readonly record struct Paging(int Offset, int Size)
{
    public const int DefaultSize = 50;
    public const int MaxSize = 500;

    public static Paging Read(int pageSize, string? pageToken)
    {
        if (pageSize < 0)
        {
            throw DomainException.Invalid("page_size", "must not be negative");
        }

        var offset = 0;
        if (!string.IsNullOrEmpty(pageToken)
            && (!int.TryParse(pageToken, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset < 0))
        {
            throw DomainException.Invalid("page_token", "is not a token this service issued");
        }

        return new Paging(offset, SizeOf(pageSize));
    }

    /// <summary>The page size a request asks for: 50 when unset, at most 500; negative is refused.</summary>
    public static int SizeOf(int pageSize) =>
        pageSize < 0 ? throw DomainException.Invalid("page_size", "must not be negative")
        : pageSize == 0 ? DefaultSize
        : Math.Min(pageSize, MaxSize);

    public IEnumerable<T> Of<T>(IEnumerable<T> all) => all.Skip(Offset).Take(Size);

    public string NextToken(int total) =>
        Offset + Size < total ? (Offset + Size).ToString(CultureInfo.InvariantCulture) : string.Empty;
}
