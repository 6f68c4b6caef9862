using Microsoft.Extensions.Logging;

namespace HazardGrid.Common;

/// <summary>
/// Asks until the answer comes: for the fill of a grain that is incomplete without it (a city
/// index without every town's ledger, a rollup without every child's figures). A failure is
/// logged and asked again after a growing pause (1 s, 2 s, … 10 s), until the grain deactivates.
/// </summary>
internal static class AskAgain
{
    public static async Task UntilAnswered(Func<Task> ask, ILogger logger, string what, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ask();
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Could not {What} (attempt {Attempt}); asking again", what, attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 10)), cancellationToken);
            }
        }
    }
}
