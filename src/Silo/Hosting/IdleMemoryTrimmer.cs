using System.Runtime;

namespace HazardGrid.Silo.Hosting;

/// <summary>
/// Gives memory back to the machine once the silo goes quiet. Enterprise and hazard grains
/// deactivate after an idle minute, but the garbage they leave is only collected when something
/// allocates, and an idle silo hardly does: it would stay at its peak long after its grains are
/// gone (bench/README.md). So, once a minute: if the silo allocated little in that minute and its
/// heap is large, run one compacting collection that also returns the freed memory to the
/// operating system. A busy silo is never interrupted (its allocation rate keeps the check from
/// firing); a large heap that is really live only costs a collection now and then, as the wait
/// doubles each time a trim frees little.
/// </summary>
public sealed class IdleMemoryTrimmer(ILogger<IdleMemoryTrimmer> logger) : BackgroundService
{
    /// <summary>On by default; off only to measure what the runtime's own GC settings do without it (bench/README.md, issue 12).</summary>
    public const string EnabledSetting = "HazardGrid:IdleMemoryTrimmer:Enabled";

    private static readonly TimeSpan s_period = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan s_longestWait = TimeSpan.FromMinutes(32);

    /// <summary>Allocations in a period below which the silo counts as idle.</summary>
    private const long IdleAllocationBytes = 256L * 1024 * 1024;

    /// <summary>A heap smaller than this is not worth a full collection.</summary>
    private const long LargeHeapBytes = 1024L * 1024 * 1024;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var allocated = GC.GetTotalAllocatedBytes();
        var wait = s_period;
        var nextTrim = DateTime.UtcNow;
        using var timer = new PeriodicTimer(s_period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = GC.GetTotalAllocatedBytes();
            var idle = now - allocated < IdleAllocationBytes;
            allocated = now;
            var heap = GC.GetGCMemoryInfo().HeapSizeBytes;
            if (!idle || heap < LargeHeapBytes || DateTime.UtcNow < nextTrim)
            {
                if (!idle)
                {
                    wait = s_period; // new work: the next quiet spell trims promptly again
                    nextTrim = DateTime.UtcNow;
                }

                continue;
            }

            var before = Environment.WorkingSet;
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            var after = GC.GetGCMemoryInfo().HeapSizeBytes;
            allocated = GC.GetTotalAllocatedBytes();
            wait = after > heap * 0.9 ? TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, s_longestWait.Ticks)) : s_period;
            nextTrim = DateTime.UtcNow + wait;
            logger.LogInformation("Idle: heap {Heap:N0} → {After:N0} MiB, working set {Before:N0} → {Now:N0} MiB",
                heap / (1024 * 1024), after / (1024 * 1024), before / (1024 * 1024), Environment.WorkingSet / (1024 * 1024));
        }
    }
}
