using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using System.Xml;
using HazardGrid.Common;
using HazardGrid.Gateway.Circulars;
using HazardGrid.Gateway.Services;
using HazardGrid.Hazards;
using HazardGrid.Queries;
using HazardGrid.Regions;
using HazardGrid.Rollups;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace HazardGrid.Gateway.Disclosure;

/// <summary>
/// The public disclosure feed (公开): a region's listed major hazards and their closure, as JSON and
/// as Atom 1.0, for government websites to pull. The only data surface without a credential, so it
/// is built from an allow-list of public fields (<see cref="PublicHazard"/>) — never from the API's
/// Hazard message — and read-only (GET), with its own per-address rate limit.
/// </summary>
public static class PublicDisclosure
{
    public const string PathPrefix = "/public/v1";

    /// <summary>The rate limiting policy of the feed: per client address, since nobody signs in.</summary>
    public const string RatePolicy = "PublicDisclosure";

    /// <summary>Most hazards one page carries (the list's own maximum page size).</summary>
    public const int PageSize = Paging.MaxSize;

    private const string AtomNamespace = "http://www.w3.org/2005/Atom";

    /// <summary>"Listed" hazards: open ones and closed ones. Withdrawn and invalid records were never a
    /// major hazard (重复录入, 不构成重大事故隐患), so they are not disclosed.</summary>
    private static readonly ImmutableArray<HazardStatus> Listed =
        [HazardStatus.Registered, HazardStatus.Rectifying, HazardStatus.AwaitingVerification, HazardStatus.Closed];

    private static readonly JsonWriterOptions JsonOptions = new() { Indented = false };

    public static IServiceCollection AddPublicDisclosure(this IServiceCollection services)
    {
        services.AddOptions<DisclosureOptions>().BindConfiguration(DisclosureOptions.Section)
            .Validate(
                o => string.IsNullOrWhiteSpace(o.PublicBaseUrl)
                    || (Uri.TryCreate(o.PublicBaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment)),
                $"{DisclosureOptions.Section}:{nameof(DisclosureOptions.PublicBaseUrl)} must be an absolute http(s) address without query or fragment, e.g. https://hazards.example.gov.cn")
            .ValidateOnStart();
        // Added to the rate limiter SecurityExtensions registers; its rejection (429 for plain HTTP) applies.
        services.Configure<RateLimiterOptions>(o => o.AddPolicy(RatePolicy, PerAddress));
        return services;
    }

    /// <summary>Maps the feed's GET routes, anonymous on purpose (see the class summary).</summary>
    public static IEndpointRouteBuilder MapPublicDisclosure(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(PathPrefix).AllowAnonymous().RequireRateLimiting(RatePolicy);
        group.MapGet("/regions/{code}/hazards.json", (string code, HttpContext http) => Serve(http, code, atom: false));
        group.MapGet("/regions/{code}/hazards.atom", (string code, HttpContext http) => Serve(http, code, atom: true));
        return endpoints;
    }

    private static async Task Serve(HttpContext http, string code, bool atom)
    {
        var regions = http.RequestServices.GetRequiredService<RegionCatalog>();
        if (!regions.TryGet(code, out var region))
        {
            await Plain(http, StatusCodes.Status404NotFound, $"no region with division code '{code}': use a province, city, county or town code, e.g. /public/v1/regions/37/hazards.json");
            return;
        }

        var options = http.RequestServices.GetRequiredService<IOptions<DisclosureOptions>>().Value;
        var closedWithin = TimeSpan.FromDays(Math.Max(0, options.ClosedDays));
        // The token is bound to the region and the closure window: a token of another listing is refused.
        var fingerprint = PageTokens.Fingerprint($"public/regions/{region.Code}/closed-days/{options.ClosedDays}");
        HazardListPosition? position;
        try
        {
            position = PageTokens.ReadHazards(http.Request.Query["page_token"].ToString(), fingerprint);
        }
        catch (DomainException ex)
        {
            await Plain(http, StatusCodes.Status400BadRequest, ex.Message);
            return;
        }

        var filter = HazardFilter.All with { Statuses = Listed, ClosedWithin = closedWithin };
        var grains = http.RequestServices.GetRequiredService<IGrainFactory>();
        var page = await grains.GetGrain<IHazardListGrain>(0).List(
            new HazardListRequest(new HazardListScope(region.Code, null), filter, HazardOrder.FoundTime, PageSize, position));
        var hazards = page.Hazards.Select(h => PublicHazard.Of(h, regions)).ToList();
        var next = page.Next is { } n ? PageTokens.Write(n, fingerprint) : null;

        var feed = new PublicFeed(region, DateTimeOffset.UtcNow, options.ClosedDays, hazards, next, page.Total, JsonUrl(http, region.Code, null), AtomUrl(http, region.Code, null));
        http.Response.Headers.CacheControl = "public, max-age=60";
        http.Response.ContentType = atom ? "application/atom+xml; charset=utf-8" : "application/json; charset=utf-8";
        var body = atom ? WriteAtom(feed, http) : WriteJson(feed, http);
        await http.Response.Body.WriteAsync(body, http.RequestAborted);
    }

    private static Task Plain(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(message + "\n", http.RequestAborted);
    }

    /// <summary>
    /// Where the feed's links point: the configured public address, or a path from the root of the
    /// host the reader asked. Never the request's Host header: answers are cacheable by shared
    /// caches (<c>public, max-age=60</c>), and a link built from a forged Host would be served to
    /// every reader of that cache.
    /// </summary>
    private static string Base(HttpContext http)
    {
        var configured = http.RequestServices.GetRequiredService<IOptions<DisclosureOptions>>().Value.PublicBaseUrl;
        var root = string.IsNullOrWhiteSpace(configured) ? http.Request.PathBase.ToString() : configured.TrimEnd('/');
        return $"{root}{PathPrefix}/regions/";
    }

    private static string JsonUrl(HttpContext http, string code, string? token) =>
        Base(http) + Uri.EscapeDataString(code) + "/hazards.json" + (token is null ? "" : "?page_token=" + Uri.EscapeDataString(token));

    private static string AtomUrl(HttpContext http, string code, string? token) =>
        Base(http) + Uri.EscapeDataString(code) + "/hazards.atom" + (token is null ? "" : "?page_token=" + Uri.EscapeDataString(token));

    private static string Time(DateTimeOffset t) => ChinaTime.ToChina(t).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static string Date(DateTimeOffset t) => ChinaTime.ToChina(t).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The JSON shape documented in the README: camelCase, times in China time (RFC 3339).</summary>
    private static byte[] WriteJson(PublicFeed feed, HttpContext http)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, JsonOptions))
        {
            w.WriteStartObject();
            w.WriteStartObject("region");
            w.WriteString("code", feed.Region.Code);
            w.WriteString("name", feed.Region.Name);
            w.WriteEndObject();
            w.WriteString("generatedTime", Time(feed.GeneratedAt));
            w.WriteNumber("closedDays", feed.ClosedDays);
            w.WriteNumber("totalSize", feed.Total);
            w.WriteStartArray("hazards");
            foreach (var h in feed.Hazards)
            {
                w.WriteStartObject();
                w.WriteString("id", h.Id);
                w.WriteString("creditCode", h.CreditCode);
                w.WriteString("enterprise", h.Enterprise);
                w.WriteStartObject("town");
                w.WriteString("code", h.TownCode);
                w.WriteString("name", h.TownName);
                w.WriteEndObject();
                w.WriteString("sector", h.Sector.ToString());
                w.WriteString("sectorName", h.SectorName);
                w.WriteString("supervisionLevel", h.Level.ToString());
                w.WriteString("supervisionLevelName", h.LevelName);
                w.WriteString("state", h.State.ToString());
                w.WriteString("stateName", h.StateName);
                w.WriteString("foundTime", Time(h.FoundAt));
                WriteOptional(w, "registerTime", h.RegisteredAt);
                WriteOptional(w, "deadline", h.Deadline);
                WriteOptional(w, "closeTime", h.ClosedAt);
                w.WriteString("updateTime", Time(h.Updated));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (feed.NextPageToken is { } token)
            {
                w.WriteString("nextPageToken", token);
                w.WriteString("next", JsonUrl(http, feed.Region.Code, token));
            }

            w.WriteString("atom", feed.AtomUrl);
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, DateTimeOffset? t)
    {
        if (t is { } value)
        {
            w.WriteString(name, Time(value));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    /// <summary>Atom 1.0 (RFC 4287): one entry per hazard, its text built only from the public fields.</summary>
    private static byte[] WriteAtom(PublicFeed feed, HttpContext http)
    {
        using var buffer = new MemoryStream();
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true };
        using (var w = XmlWriter.Create(buffer, settings))
        {
            w.WriteStartDocument();
            w.WriteStartElement("feed", AtomNamespace);
            w.WriteElementString("id", AtomNamespace, $"urn:hazardgrid:disclosure:regions:{feed.Region.Code}");
            w.WriteElementString("title", AtomNamespace, $"{feed.Region.Name}重大事故隐患公开");
            w.WriteElementString("subtitle", AtomNamespace, $"在册重大事故隐患及近{feed.ClosedDays}天销号情况");
            var updated = feed.Hazards.Count == 0 ? feed.GeneratedAt : feed.Hazards.Max(h => h.Updated);
            w.WriteElementString("updated", AtomNamespace, Time(updated));
            w.WriteStartElement("author", AtomNamespace);
            w.WriteElementString("name", AtomNamespace, "HazardGrid");
            w.WriteEndElement();
            Link(w, "self", "application/atom+xml", feed.AtomUrl);
            Link(w, "alternate", "application/json", feed.JsonUrl);
            if (feed.NextPageToken is { } token)
            {
                Link(w, "next", "application/atom+xml", AtomUrl(http, feed.Region.Code, token));
            }

            foreach (var h in feed.Hazards)
            {
                w.WriteStartElement("entry", AtomNamespace);
                // A URN of the resource name: stable for the hazard's life, and no URL that could move.
                w.WriteElementString("id", AtomNamespace, "urn:hazardgrid:" + h.Id.Replace('/', ':'));
                w.WriteElementString("title", AtomNamespace, $"{h.Enterprise} 重大事故隐患（{h.SectorName}）{h.StateName}");
                w.WriteElementString("updated", AtomNamespace, Time(h.Updated));
                Link(w, "alternate", "application/json", feed.JsonUrl);
                w.WriteStartElement("category", AtomNamespace);
                w.WriteAttributeString("term", h.State.ToString());
                w.WriteAttributeString("label", h.StateName);
                w.WriteEndElement();
                w.WriteStartElement("summary", AtomNamespace);
                w.WriteAttributeString("type", "text");
                w.WriteString(Summary(h));
                w.WriteEndElement();
                w.WriteEndElement();
            }

            w.WriteEndElement();
            w.WriteEndDocument();
        }

        return buffer.ToArray();
    }

    private static void Link(XmlWriter w, string rel, string type, string href)
    {
        w.WriteStartElement("link", AtomNamespace);
        w.WriteAttributeString("rel", rel);
        w.WriteAttributeString("type", type);
        w.WriteAttributeString("href", href);
        w.WriteEndElement();
    }

    private static string Summary(PublicHazard h)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"企业：{h.Enterprise}（统一社会信用代码 {h.CreditCode}）；乡镇：{h.TownName}；行业：{h.SectorName}；");
        text.Append(CultureInfo.InvariantCulture, $"挂牌督办：{(h.LevelName.Length == 0 ? "未挂牌" : h.LevelName)}；发现日期：{Date(h.FoundAt)}；");
        text.Append(CultureInfo.InvariantCulture, $"整改期限：{(h.Deadline is { } d ? Date(d) : "未定")}；状态：{h.StateName}");
        if (h.ClosedAt is { } closed)
        {
            text.Append(CultureInfo.InvariantCulture, $"；销号日期：{Date(closed)}");
        }

        return text.ToString();
    }

    private static RateLimitPartition<string> PerAddress(HttpContext http)
    {
        var limits = http.RequestServices.GetRequiredService<IOptions<DisclosureOptions>>().Value;
        return RateLimitPartition.GetTokenBucketLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, limits.Burst),
            TokensPerPeriod = Math.Max(1, limits.RequestsPerSecond),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private sealed record PublicFeed(Region Region, DateTimeOffset GeneratedAt, int ClosedDays, IReadOnlyList<PublicHazard> Hazards, string? NextPageToken, int Total, string JsonUrl, string AtomUrl);
}

/// <summary>
/// What the public may see of a listed hazard: the allow-list. A credit code is a company identifier
/// (public in China), not personal data. Left out on purpose: persons (principal, actual controller,
/// safety director, confirming parties, trail actors), phone numbers, the description, the plan and
/// notes, the tip's reporter and channel details — and the criterion and location too, because they
/// are typed by people and can carry a name ("张三值守的罐区").
/// </summary>
public sealed record PublicHazard(
    string Id,
    string CreditCode,
    string Enterprise,
    string TownCode,
    string TownName,
    Api.V1.Sector Sector,
    string SectorName,
    Api.V1.SupervisionLevel Level,
    string LevelName,
    Api.V1.HazardState State,
    string StateName,
    DateTimeOffset FoundAt,
    DateTimeOffset? RegisteredAt,
    DateTimeOffset? Deadline,
    DateTimeOffset? ClosedAt,
    DateTimeOffset Updated)
{
    public static PublicHazard Of(HazardFacts h, RegionCatalog regions)
    {
        var sector = ApiMapper.ToApi(h.Sector);
        var level = ApiMapper.ToApi(h.Level);
        var state = ApiMapper.ToApi(h.Status);
        return new(
            ResourceNames.Hazard(h.HazardId),
            h.CreditCode,
            h.EnterpriseName ?? h.CreditCode,
            h.TownCode,
            regions.TryGet(h.TownCode, out var town) ? town.Name : string.Empty,
            sector,
            CircularText.Sector(sector),
            level,
            CircularText.Level(level),
            state,
            CircularText.State(state),
            h.FoundAt,
            h.RegisteredAt == default ? null : h.RegisteredAt,
            h.Deadline,
            h.Status == HazardStatus.Closed ? h.ClosedAt : null,
            // Facts stored before UpdatedAt was kept read back with it unset: the latest known time stands in.
            h.UpdatedAt != default ? h.UpdatedAt : h.ClosedAt ?? (h.RegisteredAt != default ? h.RegisteredAt : h.FoundAt));
    }
}
