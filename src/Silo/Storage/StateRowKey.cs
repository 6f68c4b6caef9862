using System.Text;

namespace HazardGrid.Silo.Storage;

/// <summary>
/// Where one grain's state lives in the store: the key columns Orleans' ADO.NET provider uses
/// (state name as "grain type", integer or Guid key in two numbers, string key or key extension),
/// derived the same way through Orleans' own key accessors, so a row written here is the row the
/// provider reads.
/// </summary>
public readonly record struct StateRowKey(string StateName, long N0, long N1, string? Extension, int IdHash, int TypeHash) : IComparable<StateRowKey>
{
    public static StateRowKey Of(string stateName, GrainId grainId)
    {
        // The hash columns are stored for the provider's schema but no statement of this
        // project's schema looks them up; any stable value does.
        var idHash = unchecked((int)grainId.GetUniformHashCode());
        var typeHash = Fnv1a(stateName);
        if (grainId.TryGetGuidKey(out var guid, out var guidExtension))
        {
            var bytes = guid.ToByteArray();
            return new(stateName, BitConverter.ToInt64(bytes, 0), BitConverter.ToInt64(bytes, 8), guidExtension, idHash, typeHash);
        }

        if (grainId.TryGetIntegerKey(out var integer, out var integerExtension))
        {
            return new(stateName, 0, integer, integerExtension, idHash, typeHash);
        }

        return new(stateName, 0, 0, grainId.Key.ToString(), idHash, typeHash);
    }

    public int CompareTo(StateRowKey other)
    {
        var order = string.CompareOrdinal(StateName, other.StateName);
        if (order == 0) order = N0.CompareTo(other.N0);
        if (order == 0) order = N1.CompareTo(other.N1);
        if (order == 0) order = string.CompareOrdinal(Extension ?? string.Empty, other.Extension ?? string.Empty);
        return order;
    }

    private static int Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return unchecked((int)hash);
    }
}
