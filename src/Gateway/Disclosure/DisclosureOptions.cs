namespace HazardGrid.Gateway.Disclosure;

/// <summary>Settings of the public disclosure feed (公开), section <c>HazardGrid:Disclosure</c>.</summary>
public sealed class DisclosureOptions
{
    public const string Section = "HazardGrid:Disclosure";

    /// <summary>How long a closed hazard stays in the feed after its closure, in days: long enough
    /// for a government website polling daily to publish the closure (销号), short enough that the
    /// feed stays about the hazards that matter now.</summary>
    public int ClosedDays { get; set; } = 90;

    /// <summary>Requests per second one client address may make, on average: nobody is signed in,
    /// so the address is the only thing to count by, and a public page must not be a cheap way to
    /// load the cluster.</summary>
    public int RequestsPerSecond { get; set; } = 5;

    /// <summary>The feed's public address as government websites reach it (e.g.
    /// <c>https://hazards.example.gov.cn</c>, with any path prefix the ingress adds), for the absolute
    /// links in the feeds (<c>next</c>, <c>atom</c>, Atom's <c>self</c>). Unset: the links are paths
    /// from the host's root (<c>/public/v1/…</c>), which readers resolve against the address they
    /// fetched. Never taken from the request's Host header (see PublicDisclosure.Base).</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Requests one client address may make at once above the average.</summary>
    public int Burst { get; set; } = 50;
}
