using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
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
/// <c>OrleansQuery</c> table, the same key columns. Reads and clears go to that provider as before.
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
    private readonly Lock _startLock = new();
    private Task[]? _writers;
    private string? _writeStatement;
    private long _commits;
    private long _writesCommitted;

    public GroupCommitGrainStorage(
        string name,
        IGrainStorage provider,
        Func<DbConnection> connect,
        IGrainStorageSerializer serializer,
        string serviceId,
        GroupCommitOptions options,
        ILogger<GroupCommitGrainStorage> logger)
    {
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

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        _provider.ReadStateAsync(stateName, grainId, grainState);

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
        if (_writers is { } writers)
        {
            await Task.WhenAll(writers).WaitAsync(cancellationToken).ConfigureAwait(false);
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
            _writers ??= Enumerable.Range(0, _options.Writers).Select(_ => Task.Run(WriteLoop)).ToArray();
        }
    }

    private async Task WriteLoop()
    {
        var batch = new List<PendingWrite>(_options.MaxWritesPerCommit);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Whatever queued while the last commit was under way goes into this one: no timer,
            // so a lone write is committed at once and a busy silo's writes group by themselves.
            while (batch.Count < _options.MaxWritesPerCommit && reader.TryRead(out var write))
            {
                batch.Add(write);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            // The same order in every transaction, so two transactions never wait on each
            // other's rows in opposite orders (a stable sort keeps one grain's writes in order).
            var ordered = batch.Count > 1 ? batch.OrderBy(w => w.Key).ToArray() : [.. batch];
            batch.Clear();
            await CommitAsync(ordered).ConfigureAwait(false);
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
        var statement = _writeStatement ??= await ReadWriteStatementAsync(connection).ConfigureAwait(false);
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
        Add("GrainIdHash", write.Key.IdHash);
        Add("GrainIdN0", write.Key.N0);
        Add("GrainIdN1", write.Key.N1);
        Add("GrainTypeHash", write.Key.TypeHash);
        Add("GrainTypeString", write.Key.StateName);
        Add("GrainIdExtensionString", (object?)write.Key.Extension ?? DBNull.Value);
        Add("ServiceId", _serviceId);
        Add("GrainStateVersion", write.Version is { } v ? v : DBNull.Value);
        Add("PayloadBinary", write.Payload);

        void Add(string name, object value)
        {
            var parameter = create();
            parameter.ParameterName = name;
            parameter.Value = value;
            if (value is DBNull && name == "GrainStateVersion")
            {
                parameter.DbType = System.Data.DbType.Int32;
            }

            parameters.Add(parameter);
        }
    }

    private static async Task<string> ReadWriteStatementAsync(DbConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'WriteToStorageKey'";
        return await command.ExecuteScalarAsync().ConfigureAwait(false) as string
            ?? throw new InvalidOperationException("The store has no WriteToStorageKey statement: its schema was not applied.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A group commit of {Count} grain state writes failed; every one of them gets the error")]
    private partial void LogCommitFailed(Exception exception, int count);

    private sealed record PendingWrite(StateRowKey Key, int? Version, byte[] Payload)
    {
        public TaskCompletionSource<int?> Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>How many writers commit at once and how many writes one commit may hold.</summary>
public sealed record GroupCommitOptions(int Writers, int MaxWritesPerCommit)
{
    /// <summary>PostgreSQL: a few transactions in flight, so one's WAL flush overlaps the next's statements.</summary>
    public static GroupCommitOptions PostgreSql { get; } = new(Writers: 4, MaxWritesPerCommit: 256);

    /// <summary>SQLite takes one writer at a time; more would only wait for its lock.</summary>
    public static GroupCommitOptions Sqlite { get; } = new(Writers: 1, MaxWritesPerCommit: 256);
}
