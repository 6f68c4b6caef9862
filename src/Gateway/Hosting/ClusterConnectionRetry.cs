namespace HazardGrid.Gateway.Hosting;

/// <summary>
/// The standalone gateway's first connection to the cluster: retried until a silo answers or the
/// process stops, instead of Orleans' default (about 15 attempts, then the process exits). With the
/// host's services started concurrently the gateway already answers its probes meanwhile —
/// live, not ready — so Kubernetes keeps it out of the load balancer without restarting it, and a
/// gateway started before its silos simply becomes ready when they come up.
/// </summary>
public sealed partial class ClusterConnectionRetry(ILogger<ClusterConnectionRetry> logger) : IClientConnectionRetryFilter
{
    private static readonly TimeSpan s_longestWait = TimeSpan.FromSeconds(5);

    private int _attempts;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        var attempt = Interlocked.Increment(ref _attempts);
        var wait = TimeSpan.FromSeconds(Math.Min(attempt, s_longestWait.TotalSeconds));
        if (attempt == 1)
        {
            LogNoSiloYet(logger, exception.Message);
        }
        else
        {
            LogRetrying(logger, attempt, wait, exception.Message);
        }

        try
        {
            await Task.Delay(wait, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No silo reachable yet ({Reason}); the gateway is live but not ready, and keeps trying.")]
    private static partial void LogNoSiloYet(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cluster connection attempt {Attempt} failed ({Reason}); next in {Wait}.")]
    private static partial void LogRetrying(ILogger logger, int attempt, TimeSpan wait, string reason);
}
