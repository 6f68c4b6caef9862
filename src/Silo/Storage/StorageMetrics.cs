using System.Diagnostics.Metrics;
using HazardGrid.Common;

namespace HazardGrid.Silo.Storage;

/// <summary>The group commit's own figures, under the service's meter (scraped at <c>/metrics</c>).</summary>
internal static class StorageMetrics
{
    private static readonly Meter s_meter = new(HazardGridMetrics.MeterName);

    private static readonly Counter<long> s_commits = s_meter.CreateCounter<long>(
        "hazardgrid.storage.commits", unit: "{transaction}", description: "Grain state transactions committed by the group commit.");

    private static readonly Counter<long> s_writes = s_meter.CreateCounter<long>(
        "hazardgrid.storage.writes", unit: "{write}", description: "Grain state writes committed; divided by the commits, the writes per transaction.");

    private static readonly Histogram<double> s_commitTime = s_meter.CreateHistogram<double>(
        "hazardgrid.storage.commit.duration", unit: "ms", description: "Time to execute and commit one group of writes.");

    public static void Commit(int writes, TimeSpan elapsed)
    {
        s_commits.Add(1);
        s_writes.Add(writes);
        s_commitTime.Record(elapsed.TotalMilliseconds);
    }
}
