namespace HazardGrid.Common;

/// <summary>
/// The domain's notion of "now": deadlines, overdue figures and "this month" read it. Wraps a
/// <see cref="TimeProvider"/> of its own rather than replacing the host's, so tests can move
/// domain time without moving the time Orleans itself runs on.
/// </summary>
public sealed class DomainClock(TimeProvider time)
{
    public static DomainClock System { get; } = new(TimeProvider.System);

    public DateTimeOffset Now => time.GetUtcNow();
}
