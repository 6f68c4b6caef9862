namespace HazardGrid.Common;

public static class PersistentStateExtensions
{
    /// <summary>
    /// Sets the next state and writes it; the caller is answered only after the write. If the
    /// write fails the in-memory state goes back to what was stored, and the activation is
    /// retired: whether the store kept the write is unknown, so the next call reloads from it.
    /// </summary>
    public static async Task WriteOrRollBackAsync<T>(this IPersistentState<T> state, T next, Grain grain)
    {
        var previous = state.State;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = previous;
            grain.DeactivateOnIdle();
            throw;
        }
    }
}
