namespace HazardGrid.Rollups;

/// <summary>
/// Group commit for a grain whose writers interleave (a town's ledger and its enterprise
/// directory): changes that arrive while a write is in flight gather in one pending batch, and a
/// single loop writes batch after batch. Each caller waits for the batch that holds its change.
/// <para><c>write</c> stores a batch (laid over what was stored before); <c>stored</c> then makes
/// it the stored state and runs before the batch's callers are answered, so they read their own
/// writes. A failed write fails its callers and those of the batch behind it, and stops the loop:
/// the owner's activation is retired by then (see WriteOrRollBackAsync), and the callers retry
/// against a fresh one that reads the store.</para>
/// </summary>
internal sealed class GroupCommit<TBatch>(Func<TBatch, Task> write, Action<TBatch> stored)
    where TBatch : class, new()
{
    private Entry? _writing;
    private Entry? _pending;

    /// <summary>The batch being written now, if any.</summary>
    public TBatch? InFlight => _writing?.Batch;

    /// <summary>The batch the next write will store, if one has been started.</summary>
    public TBatch? Waiting => _pending?.Batch;

    /// <summary>The batch the next write will store (created on first use).</summary>
    public TBatch Pending => (_pending ??= new Entry()).Batch;

    /// <summary>Completes once <paramref name="batch"/> (<see cref="InFlight"/> or <see cref="Pending"/>)
    /// is stored, at once for null; starts the write loop if no write is in flight.</summary>
    public Task WrittenWith(TBatch? batch)
    {
        if (batch is null)
        {
            return Task.CompletedTask;
        }

        var entry = ReferenceEquals(_writing?.Batch, batch) ? _writing!
            : ReferenceEquals(_pending?.Batch, batch) ? _pending!
            : throw new InvalidOperationException("Not a batch of this group commit.");
        if (_writing is null)
        {
            // Not awaited here: the loop outlives this call while others keep joining, and each
            // caller waits only for its own batch. It cannot be left running on an idle
            // activation: every batch it writes has callers waiting on it.
            _ = WriteLoop();
        }

        return entry.Written.Task;
    }

    private async Task WriteLoop()
    {
        while (_pending is { } entry)
        {
            _pending = null;
            _writing = entry;
            try
            {
                await write(entry.Batch);
            }
            catch (Exception ex)
            {
                _writing = null;
                var behind = _pending;
                _pending = null;
                entry.Written.TrySetException(ex);
                behind?.Written.TrySetException(ex);
                return;
            }

            _writing = null;
            try
            {
                stored(entry.Batch);
                entry.Written.TrySetResult();
            }
            catch (Exception ex)
            {
                // Stored, but not taken in: the callers hear of it, and no caller is ever left waiting.
                entry.Written.TrySetException(ex);
            }
        }
    }

    private sealed class Entry
    {
        public TBatch Batch { get; } = new();

        // Callers resume in turns of their own, not inside the write loop.
        public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>Which part of a state stored in parts a key falls in, the same in every process.</summary>
internal static class StateParts
{
    public static int Of(string key, int parts) => (int)((uint)StableHash(key) % (uint)parts);

    // string.GetHashCode is randomized per process: a key must fall in the same part in every one.
    private static int StableHash(string text)
    {
        var hash = unchecked((int)2166136261);
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 16777619);
        }

        return hash;
    }
}
