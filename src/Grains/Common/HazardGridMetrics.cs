using System.Diagnostics.Metrics;

namespace HazardGrid.Common;

/// <summary>
/// The project's own instruments, on the meter <c>HazardGrid</c>: acknowledged writes by kind,
/// town ledger writes stored, escalation steps fired, and rollup lag (how long a region's change
/// took to reach its parent).
/// </summary>
public static class HazardGridMetrics
{
    public const string MeterName = "HazardGrid";

    private static readonly Meter s_meter = new(MeterName);

    private static readonly Counter<long> s_writes = s_meter.CreateCounter<long>(
        "hazardgrid.writes", unit: "{write}", description: "Acknowledged writes, by kind (enterprise, report, lifecycle, accident).");

    private static readonly Counter<long> s_ledgerWrites = s_meter.CreateCounter<long>(
        "hazardgrid.ledger.writes", unit: "{write}", description: "Town ledger writes stored; concurrent callers for one town share a write, so fewer than the writes they acknowledge.");

    private static readonly Counter<long> s_escalations = s_meter.CreateCounter<long>(
        "hazardgrid.escalations", unit: "{step}", description: "Escalation ladder steps fired, by step.");

    private static readonly Histogram<double> s_rollupLag = s_meter.CreateHistogram<double>(
        "hazardgrid.rollup.lag", unit: "ms", description: "Time from a region's change to its parent receiving it, by the parent's level.");

    public static void Write(string kind) => s_writes.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public static void LedgerWrite() => s_ledgerWrites.Add(1);

    public static void Escalation(string step) => s_escalations.Add(1, new KeyValuePair<string, object?>("step", step));

    public static void RollupLag(TimeSpan lag, string level) =>
        s_rollupLag.Record(Math.Max(0, lag.TotalMilliseconds), new KeyValuePair<string, object?>("level", level));
}
