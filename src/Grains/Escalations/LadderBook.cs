using System.Collections.Immutable;

namespace HazardGrid.Escalations;

/// <summary>
/// A silo's copy of the ladder catalog (<see cref="ILadderCatalogGrain"/>): the policy in force in
/// this silo (its configuration) is registered on first use, and every version is kept so that a
/// hazard's own ladder can be read synchronously while a town plans. Each version's policy is the
/// configured one with that version's ladders: thresholds, the cap on extensions and the calendar
/// are always today's.
/// </summary>
public sealed class LadderBook(EscalationPolicy current, IGrainFactory grains)
{
    private readonly Lock _lock = new();
    private volatile ImmutableDictionary<int, EscalationPolicy> _versions = ImmutableDictionary<int, EscalationPolicy>.Empty;
    private Task<int>? _registered;

    /// <summary>The policy configured in this silo (new listings' ladder).</summary>
    public EscalationPolicy Current => current;

    /// <summary>The number of the version in force in this silo, registering it on first use.</summary>
    public Task<int> CurrentVersion()
    {
        lock (_lock)
        {
            if (_registered is null || _registered.IsFaulted || _registered.IsCanceled)
            {
                _registered = Register();
            }

            return _registered;
        }
    }

    /// <summary>Makes sure every version in <paramref name="versions"/> is known here (reading the
    /// catalog again if one is not: another silo may have registered it).</summary>
    public async Task Ensure(IEnumerable<int> versions)
    {
        await CurrentVersion();
        if (versions.Any(v => v > 0 && !_versions.ContainsKey(v)))
        {
            Learn(await Catalog.GetAll());
        }
    }

    /// <summary>
    /// The policy a hazard on ladder <paramref name="version"/> climbs. Version 0 (hazards stored
    /// before versions were kept) is version 1, the first ever in force. A version still unknown
    /// here (only before <see cref="Ensure"/> answered) climbs the current policy.
    /// </summary>
    public EscalationPolicy For(int version) =>
        _versions.TryGetValue(Math.Max(version, 1), out var policy) ? policy : current;

    private async Task<int> Register()
    {
        var all = await Catalog.Register(current);
        Learn(all);
        var key = current.LadderKey;
        return all.Single(v => v.Key == key).Number;
    }

    private void Learn(ImmutableArray<LadderVersion> all)
    {
        lock (_lock)
        {
            _versions = all.ToImmutableDictionary(v => v.Number, v => current with { Default = v.Default, Overrides = v.Overrides });
        }
    }

    private ILadderCatalogGrain Catalog => grains.GetGrain<ILadderCatalogGrain>(0);
}
