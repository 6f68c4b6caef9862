using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using HazardGrid.Api.V1;

namespace HazardGrid.Bench;

/// <summary>
/// Issue 9's reads over the loaded province, by a province supervisor, each next to a baseline
/// measured here in the same run:
///   the first page of a filtered province-wide list      p99 ≤ 200 ms   vs GetRegionStatus(regions/37), measured the same way
///   paging through every hazard of the province         ≤ 30 s         vs PostgreSQL's own keyset paging over as many rows as wide
///   province statistics for a year                      p99 ≤ 500 ms   vs GetRegionStatus p99
/// Returns the table rows; prints the details as it goes.
/// </summary>
internal static class ProvinceQueries
{
    private const string Province = "regions/37";
    private const int FirstPages = 200;
    private const int StatisticsCalls = 20;
    private const int PageAll = 500;

    public static async Task<List<string>> RunAsync(CallInvoker supervisor, string connectionString, Func<TimeSpan> sinceLoad)
    {
        var rows = new List<string>();
        var hazardsApi = new HazardService.HazardServiceClient(supervisor);
        var regionsApi = new RegionService.RegionServiceClient(supervisor);
        var status = GetStatus;

        // The index follows the towns' ledgers a moment behind: measure only once a province-wide
        // listing counts every hazard the province's own figures count.
        var figures = (await status()).Figures;
        var provinceTotal = figures.Registered + figures.Rectifying + figures.AwaitingVerification + figures.Closed + figures.Withdrawn + figures.Invalid;
        var listed = -1;
        var limit = Stopwatch.StartNew();
        while ((listed = (await hazardsApi.ListHazardsAsync(new ListHazardsRequest { Parent = Province, PageSize = 1 })).TotalSize) != provinceTotal
            && limit.Elapsed < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(500);
        }

        var lag = sinceLoad();
        Console.WriteLine($"List index: {listed:N0} hazards in a province-wide listing, {provinceTotal:N0} in the province's figures, {lag.TotalSeconds:F1} s after the load ended.");
        rows.Add($"| list index caught up with the province (listing total = province figures) | {(listed == provinceTotal ? $"{lag.TotalSeconds:F1} s after the load" : $"not within 5 min ({listed:N0} of {provinceTotal:N0})")} | | | | |");

        // 1. First pages, each a new listing, alternating with the baseline so drift falls on both.
        var rectifying = new ListHazardsRequest { Parent = Province, PageSize = 50, OrderBy = HazardOrderBy.Deadline, Filter = new HazardFilter { States = { HazardState.Rectifying } } };
        // The second: open hazards of one sector, the sector with most of them (a sector's open
        // list is what a province desk reads; the simulator's overdue hazards may be none).
        var sector = figures.BySector.OrderByDescending(s => s.Open).Select(s => s.Sector).FirstOrDefault(Sector.Chemicals);
        var openInSector = new ListHazardsRequest
        {
            Parent = Province, PageSize = 50, OrderBy = HazardOrderBy.Deadline,
            Filter = new HazardFilter { States = { HazardState.Registered, HazardState.Rectifying, HazardState.AwaitingVerification }, Sectors = { sector } },
        };
        var (statusMs, rectifyingMs, sectorMs) = (new List<double>(), new List<double>(), new List<double>());
        int rectifyingTotal = 0, sectorTotal = 0, firstPageItems = 0;
        for (var i = -5; i < FirstPages; i++) // the first five warm up and are not counted
        {
            var s = await Time(status);
            var r = await Time(() => hazardsApi.ListHazardsAsync(rectifying).ResponseAsync);
            var o = await Time(() => hazardsApi.ListHazardsAsync(openInSector).ResponseAsync);
            (rectifyingTotal, sectorTotal, firstPageItems) = (r.Answer.TotalSize, o.Answer.TotalSize, r.Answer.Hazards.Count);
            if (i >= 0)
            {
                statusMs.Add(s.Ms);
                rectifyingMs.Add(r.Ms);
                sectorMs.Add(o.Ms);
            }
        }

        var (s50, s99) = (Percentile(statusMs, 50), Percentile(statusMs, 99));
        Console.WriteLine($"First pages: RECTIFYING by deadline {rectifyingTotal:N0} matching ({firstPageItems} on the page); open in sector {sector} {sectorTotal:N0} matching.");
        rows.Add(FirstPageRow($"first page of a province-wide list: state RECTIFYING ({rectifyingTotal:N0}), by deadline, 50 a page; p50 / p99 of {FirstPages} new listings", rectifyingMs, s50, s99));
        rows.Add(FirstPageRow($"first page of a province-wide list: open (3 states), sector {sector} ({sectorTotal:N0}), by deadline, 50 a page; p50 / p99 of {FirstPages}", sectorMs, s50, s99));

        // 2. Every hazard of the province, by name, 500 a page, until no token is left.
        var names = new HashSet<string>(StringComparer.Ordinal);
        long items = 0, bytes = 0, nameBytes = 0;
        var pages = 0;
        var snapshotTotal = 0;
        var all = new ListHazardsRequest { Parent = Province, PageSize = PageAll, OrderBy = HazardOrderBy.Name };
        var paging = Stopwatch.StartNew();
        do
        {
            var page = await hazardsApi.ListHazardsAsync(all);
            pages++;
            snapshotTotal = page.TotalSize;
            foreach (var hazard in page.Hazards)
            {
                items++;
                names.Add(hazard.Name);
                bytes += hazard.CalculateSize();
                nameBytes += hazard.Name.Length;
            }

            all.PageToken = page.NextPageToken;
        }
        while (all.PageToken.Length > 0);
        var pagedIn = paging.Elapsed;
        var width = items == 0 ? 0 : (int)(bytes / items);
        Console.WriteLine($"Paged {items:N0} hazards ({names.Count:N0} distinct names) in {pages:N0} pages, {pagedIn.TotalSeconds:F1} s; {width} bytes a hazard on the wire on average.");

        var (baseline, baselinePages) = await PostgresKeysetPaging(connectionString, names, Math.Max(1, width - (int)(nameBytes / Math.Max(1, items))));
        rows.Add($"| paging through every hazard of the province: by name, {PageAll} a page, to the last page | {pagedIn.TotalSeconds:F1} s ({pages:N0} pages, {items:N0} hazards) | {baseline.TotalSeconds:F1} s PostgreSQL keyset paging ({baselinePages:N0} pages of {PageAll} rows of ~{width} bytes, same names, indexed) | {pagedIn / baseline:F1} | ≤ 30 s | {(pagedIn <= TimeSpan.FromSeconds(30) ? "yes" : "no")} |");
        var once = items == names.Count && names.Count == provinceTotal && snapshotTotal == provinceTotal;
        rows.Add($"| every hazard exactly once | {names.Count:N0} distinct of {items:N0} listed | {provinceTotal:N0} in the province's figures | | equal, no repeats | {(once ? "yes" : "no")} |");

        // 3. Province statistics for a year: this year (China time) so far, and the whole year before.
        var year = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).Year;
        foreach (var y in new[] { year, year - 1 })
        {
            var request = new GetRegionStatisticsRequest { Name = Province, Period = new StatisticsPeriod { Year = y } };
            var ms = new List<double>();
            var found = 0;
            for (var i = -2; i < StatisticsCalls; i++)
            {
                var call = await Time(() => regionsApi.GetRegionStatisticsAsync(request).ResponseAsync);
                found = call.Answer.Figures?.Found ?? 0;
                if (i >= 0)
                {
                    ms.Add(call.Ms);
                }
            }

            var p99 = Percentile(ms, 99);
            rows.Add($"| province statistics for the year {y}{(y == year ? " (so far)" : "")}, {found:N0} found in it; p50 / p99 of {StatisticsCalls} calls | {Percentile(ms, 50):F0} / {p99:F0} ms | {s50:F1} / {s99:F1} ms GetRegionStatus(regions/37) | {p99 / s99:F1} | p99 ≤ 500 ms | {(p99 <= 500 ? "yes" : "no")} |");
        }

        return rows;

        Task<RegionStatus> GetStatus() => regionsApi.GetRegionStatusAsync(new GetRegionStatusRequest { Name = Province }).ResponseAsync;
    }

    private static string FirstPageRow(string figure, List<double> ms, double s50, double s99)
    {
        var p99 = Percentile(ms, 99);
        return $"| {figure} | {Percentile(ms, 50):F1} / {p99:F1} ms | {s50:F1} / {s99:F1} ms GetRegionStatus(regions/37), same calls interleaved | {p99 / s99:F1} | p99 ≤ 200 ms | {(p99 <= 200 ? "yes" : "no")} |";
    }

    /// <summary>
    /// The limit for paging: PostgreSQL alone paging by keyset (<c>WHERE name &gt; $1 ORDER BY name
    /// LIMIT 500</c>) over an indexed table of the same names with rows as wide as a listed hazard,
    /// read into this process over the loopback like the service's pages.
    /// </summary>
    private static async Task<(TimeSpan Elapsed, int Pages)> PostgresKeysetPaging(string connectionString, IEnumerable<string> names, int payloadWidth)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var create = new Npgsql.NpgsqlCommand("DROP TABLE IF EXISTS bench_keyset; CREATE TABLE bench_keyset (name text COLLATE \"C\" PRIMARY KEY, item text NOT NULL)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        // A varied payload, so that nothing compresses it: the bytes of a row are really read.
        var random = new Random(9);
        await using (var copy = await connection.BeginBinaryImportAsync("COPY bench_keyset (name, item) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var name in names)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(name, NpgsqlTypes.NpgsqlDbType.Text);
                await copy.WriteAsync(string.Create(payloadWidth, random, (span, r) => { for (var i = 0; i < span.Length; i++) { span[i] = (char)('a' + r.Next(26)); } }), NpgsqlTypes.NpgsqlDbType.Text);
            }

            await copy.CompleteAsync();
        }

        await using (var analyze = new Npgsql.NpgsqlCommand("VACUUM ANALYZE bench_keyset", connection))
        {
            await analyze.ExecuteNonQueryAsync();
        }

        var last = string.Empty;
        var pages = 0;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await using var page = new Npgsql.NpgsqlCommand($"SELECT name, item FROM bench_keyset WHERE name > $1 ORDER BY name LIMIT {PageAll.ToString(CultureInfo.InvariantCulture)}", connection);
            page.Parameters.Add(new Npgsql.NpgsqlParameter { Value = last });
            await using var reader = await page.ExecuteReaderAsync();
            var rows = 0;
            while (await reader.ReadAsync())
            {
                last = reader.GetString(0);
                _ = reader.GetString(1);
                rows++;
            }

            pages++;
            if (rows < PageAll)
            {
                break;
            }
        }

        return (clock.Elapsed, pages);
    }

    private static async Task<(T Answer, double Ms)> Time<T>(Func<Task<T>> call)
    {
        var clock = Stopwatch.StartNew();
        var answer = await call();
        return (answer, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>Nearest-rank percentile; NaN for no values. ConsoleReads uses it too.</summary>
    internal static double Percentile(List<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1)];
    }
}
