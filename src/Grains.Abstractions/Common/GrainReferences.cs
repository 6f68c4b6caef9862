namespace HazardGrid.Common;

/// <summary>
/// References to string-keyed grains, with the interface's grain type resolved once. Orleans'
/// <c>GetGrain&lt;T&gt;(key)</c> resolves the interface on every call — reading its custom
/// attributes by reflection, then formatting its type name — and a report takes several such
/// calls (gateway → enterprise → hazard → town → province): 10% of the service's CPU per
/// acknowledged report in the ingest profile (bench/README.md, "Issue 12: where a report's CPU
/// goes"). The answer depends only on the interface, so it is kept per interface and each
/// reference is made from its grain id, which is all <c>GetGrain</c> does after resolving.
/// </summary>
public static class GrainReferences
{
    /// <summary>The grain of interface <typeparamref name="T"/> with this key; same as <c>GetGrain&lt;T&gt;(key)</c>.</summary>
    public static T Reference<T>(this IGrainFactory grains, string key)
        where T : IGrainWithStringKey
    {
        if (Resolved<T>.Types is not { } types)
        {
            // The first call goes Orleans' way and keeps what it resolved. Two threads doing so at
            // once resolve the same types, so the race is harmless.
            var reference = grains.GetGrain<T>(key);
            var grain = (GrainReference)(object)reference;
            Resolved<T>.Types = new(grain.GrainId.Type, grain.InterfaceType);
            return reference;
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        return (T)grains.GetGrain(GrainId.Create(types.Grain, key), types.Interface);
    }

    private static class Resolved<T>
    {
        public static volatile GrainTypes? Types;
    }

    private sealed record GrainTypes(GrainType Grain, GrainInterfaceType Interface);
}
