namespace HazardGrid.Rollups;

/// <summary>Timing of the upward cascade.</summary>
public sealed class RollupOptions
{
    /// <summary>How long a changed region waits to gather further changes before reporting up.</summary>
    public TimeSpan FlushDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often a town checks its deadlines and month boundary against the domain clock.</summary>
    public TimeSpan ClockCheckPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a parent re-reads its children, repairing anything a lost report missed.</summary>
    public TimeSpan ReconcilePeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a town waits for a requested ladder step to show up before asking again.</summary>
    public TimeSpan EscalationRetry { get; set; } = TimeSpan.FromSeconds(30);
}
