using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace HazardGrid.Silo.Storage;

/// <summary>
/// Grain state writes committed in groups: the writes of many grains that arrive while a
/// transaction is being committed share the next transaction, and each caller is answered only
/// after the transaction holding its write has committed. Under load a report's two writes (the
/// hazard, its town's ledger) and everybody else's then cost a handful of commits instead of one
/// commit each, which is what the WAL flush and the per-statement overhead of a database on the
/// same two cores were spent on (bench/README.md, issue 12).
/// <para>
/// It writes the same rows, with the same version (ETag) rules, as Orleans' ADO.NET provider it
/// sits in front of: the provider's own <c>WriteToStorageKey</c> statement from the
/// <c>OrleansQuery</c> table, the same key columns. Clears go to that provider as before, and
/// reads too unless they are grouped (<see cref="GroupCommitOptions.GroupReads"/>, PostgreSQL).
/// </para>
/// <para>
/// If anything in a transaction fails — a statement, the commit, the connection — the whole
/// transaction is rolled back and every caller whose write was in it gets the error: none of them
/// is told its write succeeded. Their grains fail the call, and the caller's retry (same request
/// id) writes again. A version conflict is not a failure of the transaction: that one caller gets
/// <see cref="InconsistentStateException"/>, as with the provider, and the others commit.
/// </para>
/// </summary>
public sealed partial class GroupCommitGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly string _name;
    private readonly IGrainStorage _provider;
    private readonly Func<DbConnection> _connect;
    private readonly IGrainStorageSerializer _serializer;
    private readonly string _serviceId;
    private readonly GroupCommitOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Channel<PendingRead> _reads = Channel.CreateUnbounded<PendingRead>();
    private readonly FairReads _fairReads = new();
    private readonly IActivatorProvider _activators;
    private readonly Lock _startLock = new();
    private Task[]? _writers;
    private Task[]? _readers;
    private string? _writeStatement;
    private string? _readStatement;
    private long _commits;
    private long _writesCommitted;

    public GroupCommitGrainStorage(
        string name,
        IGrainStorage provider,
        Func<DbConnection> connect,
        IGrainStorageSerializer serializer,
        string serviceId,
        GroupCommitOptions options,
        IActivatorProvider activators,
        ILogger<GroupCommitGrainStorage> logger)
    {
        _activators = activators;
        _name = name;
        _provider = provider;
        _connect = connect;
        _serializer = serializer;
        _serviceId = serviceId;
        _options = options;
        _logger = logger;
    }

    /// <summary>Transactions committed so far.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Writes committed so far; divided by <see cref="Commits"/>, the writes per transaction.</summary>
    public long WritesCommitted => Interlocked.Read(ref _writesCommitted);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (!_options.GroupReads)
        {
            await _provider.ReadStateAsync(stateName, grainId, grainState).ConfigureAwait(false);
            return;
        }

        EnsureStarted();
        var read = new PendingRead(StateRowKey.Of(stateName, grainId), grainId.Type);
        if (!_reads.Writer.TryWrite(read))
        {
            throw new InvalidOperationException($"Grain storage '{_name}' is stopped: the read of {stateName} for {grainId} was not taken.");
        }

        var (found, payload, version) = await read.Done.Task.ConfigureAwait(false);
        grainState.State = payload is null ? _activators.GetActivator<T>().Create() : _serializer.Deserialize<T>(new BinaryData(payload));
        grainState.ETag = version?.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = found;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        _provider.ClearStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        EnsureStarted();
        int? version = string.IsNullOrWhiteSpace(grainState.ETag) ? null : int.Parse(grainState.ETag, CultureInfo.InvariantCulture);
        var write = new PendingWrite(StateRowKey.Of(stateName, grainId), version, _serializer.Serialize(grainState.State).ToArray());
        if (!_queue.Writer.TryWrite(write))
        {
            throw new InvalidOperationException($"Grain storage '{_name}' is stopped: the write of {stateName} for {grainId} was not taken.");
        }

        var stored = await write.Committed.Task.ConfigureAwait(false);

        // The statement returns the version given when it changed nothing: another activation
        // wrote first (or, with no version, the row already existed). Same rule as the provider.
        if (stored is null || stored == version)
        {
            throw new InconsistentStateException(
                $"Version conflict (WriteState): ServiceId={_serviceId} ProviderName={_name} GrainType={stateName} GrainId={grainId} ETag={grainState.ETag}.");
        }

        grainState.ETag = stored.Value.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(
            nameof(GroupCommitGrainStorage) + "." + _name,
            ServiceLifecycleStage.ApplicationServices,
            _ => { EnsureStarted(); return Task.CompletedTask; },
            StopAsync);

    /// <summary>Takes no more writes and waits for the ones taken to be committed (or failed).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        _reads.Writer.TryComplete();
        if (_writers is { } writers)
        {
            await Task.WhenAll(writers.Concat(_readers ?? [])).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void EnsureStarted()
    {
        if (_writers is not null)
        {
            return;
        }

        lock (_startLock)
        {
            _readers ??= Enumerable.Range(0, _options.GroupReads ? _options.Writers : 0).Select(_ => Task.Run(ReadLoop)).ToArray();
            _writers ??= Enumerable.Range(0, _options.Writers).Select(_ => Task.Run(WriteLoop)).ToArray();
        }
    }

    private async Task WriteLoop()
    {
        await foreach (var batch in Groups(_queue.Reader, _options.MaxWritesPerCommit).ConfigureAwait(false))
        {
            // The same order in every transaction, so two transactions never wait on each
            // other's rows in opposite orders (a stable sort keeps one grain's writes in order).
            var ordered = batch.Length > 1 ? batch.OrderBy(w => w.Key).ToArray() : batch;
            await CommitAsync(ordered).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whatever queued while the last commit was under way goes into the next one: no timer, so a
    /// lone write goes at once and a busy silo's writes group by themselves. (Reads are grouped
    /// by <see cref="FairReads"/> instead, which takes them by grain type in turn.)
    /// </summary>
    private static async IAsyncEnumerable<PendingWrite[]> Groups(ChannelReader<PendingWrite> reader, int maxPerGroup)
    {
        var group = new List<PendingWrite>(maxPerGroup);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (group.Count < maxPerGroup && reader.TryRead(out var item))
            {
                group.Add(item);
            }

            if (group.Count > 0)
            {
                yield return [.. group];
                group.Clear();
            }
        }
    }

    /// <summary>
    /// Activation reads go the same way: those that queue while a group is being read are sent
    /// together in one round trip (no transaction: each is a single-row read, as the provider's).
    /// A group takes the queued reads by grain type in turn (<see cref="FairReads"/>), not in the
    /// order they came: a silo that starts wakes its region tree, ~2,000 grains queueing ~22,000
    /// reads at once, and in arrival order the first caller's enterprise read waited behind all of
    /// them (seconds with the province loaded; bench/README.md, "cold start, traced").
    /// </summary>
    private async Task ReadLoop()
    {
        while (true)
        {
            var reads = _fairReads.Take(_reads.Reader, _options.MaxWritesPerCommit);
            if (reads.Length == 0)
            {
                if (!await _reads.Reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    return; // stopped, and nothing left
                }

                continue;
            }

            try
            {
                await ReadGroupAsync(reads).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                foreach (var read in reads)
                {
                    read.Done.TrySetException(exception);
                }
            }
        }
    }

    private async Task ReadGroupAsync(PendingRead[] reads)
    {
        var began = Stopwatch.GetTimestamp();
        await using var connection = _connect();
        await connection.OpenAsync().ConfigureAwait(false);
        var statement = _readStatement ??= await ReadStatementAsync(connection, "ReadFromStorageKey").ConfigureAwait(false);
        await using var batch = connection.CreateBatch();
        foreach (var read in reads)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = statement;
            BindKey(command.Parameters, command.CreateParameter, read.Key);
            batch.BatchCommands.Add(command);
        }

        await using var reader = await batch.ExecuteReaderAsync().ConfigureAwait(false);
        for (var i = 0; i < reads.Length; i++)
        {
            if (i > 0)
            {
                await reader.NextResultAsync().ConfigureAwait(false);
            }

            if (await reader.ReadAsync().ConfigureAwait(false))
            {
                var payload = await reader.IsDBNullAsync(0).ConfigureAwait(false) ? null : (byte[])reader.GetValue(0);
                int? version = await reader.IsDBNullAsync(1).ConfigureAwait(false) ? null : reader.GetInt32(1);
                reads[i].Done.TrySetResult((true, payload, version));
            }
            else
            {
                reads[i].Done.TrySetResult((false, null, null));
            }
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            // How long reads waited, and for whom (a start's time line: bench/README.md, "cold start, traced").
            LogReadGroup(reads.Length, string.Join(",", reads.CountBy(r => r.Type).Select(t => $"{t.Key}x{t.Value}")),
                reads.Max(r => Stopwatch.GetElapsedTime(r.Queued, began).TotalMilliseconds), Stopwatch.GetElapsedTime(began).TotalMilliseconds);
        }
    }

    private async Task CommitAsync(PendingWrite[] writes)
    {
        var clock = Stopwatch.StartNew();
        int?[] stored;
        try
        {
            stored = await ExecuteAsync(writes).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            LogCommitFailed(exception, writes.Length);
            foreach (var write in writes)
            {
                write.Committed.TrySetException(exception);
            }

            return;
        }

        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _writesCommitted, writes.Length);
        StorageMetrics.Commit(writes.Length, clock.Elapsed);
        for (var i = 0; i < writes.Length; i++)
        {
            writes[i].Committed.TrySetResult(stored[i]);
        }
    }

    /// <summary>All the writes in one transaction; their stored versions once it has committed.</summary>
    private async Task<int?[]> ExecuteAsync(PendingWrite[] writes)
    {
        await using var connection = _connect();
        await connection.OpenAsync().ConfigureAwait(false);
        var statement = _writeStatement ??= await ReadStatementAsync(connection, "WriteToStorageKey").ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        var stored = new int?[writes.Length];
        if (connection.CanCreateBatch)
        {
            // PostgreSQL: every statement in one round trip.
            await using var batch = connection.CreateBatch();
            batch.Transaction = transaction;
            foreach (var write in writes)
            {
                var command = batch.CreateBatchCommand();
                command.CommandText = statement;
                Bind(command.Parameters, command.CreateParameter, write);
                batch.BatchCommands.Add(command);
            }

            await using var reader = await batch.ExecuteReaderAsync().ConfigureAwait(false);
            for (var i = 0; i < writes.Length; i++)
            {
                stored[i] = await ReadVersionAsync(reader).ConfigureAwait(false);
                await reader.NextResultAsync().ConfigureAwait(false);
            }
        }
        else
        {
            // SQLite (in process, no round trips to save): one statement after another.
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = statement;
            for (var i = 0; i < writes.Length; i++)
            {
                command.Parameters.Clear();
                Bind(command.Parameters, command.CreateParameter, writes[i]);
                await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
                stored[i] = await ReadVersionAsync(reader).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        return stored;
    }

    private static async Task<int?> ReadVersionAsync(DbDataReader reader)
    {
        // SQLite's statement is two statements; the version is in the last result that has a row.
        do
        {
            if (reader.FieldCount > 0 && await reader.ReadAsync().ConfigureAwait(false))
            {
                return await reader.IsDBNullAsync(0).ConfigureAwait(false) ? null : Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture);
            }
        }
        while (await reader.NextResultAsync().ConfigureAwait(false));
        return null;
    }

    private void Bind(DbParameterCollection parameters, Func<DbParameter> create, PendingWrite write)
    {
        BindKey(parameters, create, write.Key);
        AddParameter(parameters, create, "GrainIdHash", write.Key.IdHash);
        AddParameter(parameters, create, "GrainTypeHash", write.Key.TypeHash);
        AddParameter(parameters, create, "GrainStateVersion", write.Version is { } v ? v : DBNull.Value, System.Data.DbType.Int32);
        AddParameter(parameters, create, "PayloadBinary", write.Payload);
    }

    private void BindKey(DbParameterCollection parameters, Func<DbParameter> create, StateRowKey key)
    {
        AddParameter(parameters, create, "GrainIdN0", key.N0);
        AddParameter(parameters, create, "GrainIdN1", key.N1);
        AddParameter(parameters, create, "GrainTypeString", key.StateName);
        AddParameter(parameters, create, "GrainIdExtensionString", (object?)key.Extension ?? DBNull.Value);
        AddParameter(parameters, create, "ServiceId", _serviceId);
    }

    /// <summary>A named parameter; a null is given the column's type, which PostgreSQL cannot infer from it.</summary>
    private static void AddParameter(DbParameterCollection parameters, Func<DbParameter> create, string name, object value, System.Data.DbType nullType = System.Data.DbType.String)
    {
        var parameter = create();
        parameter.ParameterName = name;
        parameter.Value = value;
        if (value is DBNull)
        {
            parameter.DbType = nullType;
        }

        parameters.Add(parameter);
    }

    private static async Task<string> ReadStatementAsync(DbConnection connection, string key)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT QueryText FROM OrleansQuery WHERE QueryKey = '{key}'";
        return await command.ExecuteScalarAsync().ConfigureAwait(false) as string
            ?? throw new InvalidOperationException($"The store has no {key} statement: its schema was not applied.");
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Read a group of {Count} grain states ({Types}): the longest waited {QueuedMs:F0} ms in the queue, the round trip took {ReadMs:F0} ms")]
    private partial void LogReadGroup(int count, string types, double queuedMs, double readMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A group commit of {Count} grain state writes failed; every one of them gets the error")]
    private partial void LogCommitFailed(Exception exception, int count);

    /// <summary>
    /// The reads taken from the queue, by grain type, handed out in turn: a group holds one read of
    /// each type that has any, then a second of each, and so on, so a type with a few reads waiting
    /// (an enterprise a caller asked for) goes in the next group however many another type queued.
    /// Within a type, first come first served. Shared by the readers, under its lock.
    /// </summary>
    private sealed class FairReads
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<GrainType, Queue<PendingRead>> _byType = [];
        private readonly Queue<GrainType> _turns = new();

        /// <summary>Everything queued so far moved in, then up to <paramref name="max"/> reads taken in turn by type.</summary>
        public PendingRead[] Take(ChannelReader<PendingRead> queue, int max)
        {
            lock (_lock)
            {
                while (queue.TryRead(out var read))
                {
                    if (!_byType.TryGetValue(read.Type, out var waiting))
                    {
                        _byType[read.Type] = waiting = new Queue<PendingRead>();
                        _turns.Enqueue(read.Type);
                    }

                    waiting.Enqueue(read);
                }

                var group = new List<PendingRead>(Math.Min(max, _byType.Values.Sum(q => q.Count)));
                while (group.Count < max && _turns.TryDequeue(out var type))
                {
                    var waiting = _byType[type];
                    group.Add(waiting.Dequeue());
                    if (waiting.Count > 0)
                    {
                        _turns.Enqueue(type);
                    }
                    else
                    {
                        _byType.Remove(type);
                    }
                }

                return [.. group];
            }
        }
    }

    private sealed record PendingWrite(StateRowKey Key, int? Version, byte[] Payload)
    {
        public TaskCompletionSource<int?> Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record PendingRead(StateRowKey Key, GrainType Type)
    {
        public long Queued { get; } = Stopwatch.GetTimestamp();
        public TaskCompletionSource<(bool Found, byte[]? Payload, int? Version)> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>How many writers commit at once and how many writes one commit may hold.</summary>
/// <param name="GroupReads">Whether reads are grouped too (in one round trip each group): worth it
/// where a read is a round trip to a server, not for SQLite in the process.</param>
public sealed record GroupCommitOptions(int Writers, int MaxWritesPerCommit, bool GroupReads = false)
{
    /// <summary>PostgreSQL: a few transactions in flight, so one's WAL flush overlaps the next's statements.</summary>
    public static GroupCommitOptions PostgreSql { get; } = new(Writers: 4, MaxWritesPerCommit: 256, GroupReads: true);

    /// <summary>SQLite takes one writer at a time; more would only wait for its lock.</summary>
    public static GroupCommitOptions Sqlite { get; } = new(Writers: 1, MaxWritesPerCommit: 256);
}
