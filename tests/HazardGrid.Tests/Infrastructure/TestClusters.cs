using HazardGrid.Common;
using HazardGrid.Rollups;
using HazardGrid.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

namespace HazardGrid.Tests.Infrastructure;

/// <summary>Where a test cluster keeps grain state.</summary>
public abstract record TestStorage
{
    /// <summary>In memory, in Orleans' binary format as in production: the memory provider's JSON
    /// default cannot read back every state record, which shows as soon as a grain is deactivated
    /// and reactivated.</summary>
    public static TestStorage InMemory { get; } = new Memory(null);

    /// <summary>The embedded mode's SQLite file in <paramref name="dataDirectory"/>; a new cluster on
    /// the same directory reads what an earlier one stored.</summary>
    public static TestStorage Sqlite(string dataDirectory) => new SqliteFile(dataDirectory);

    /// <summary>In memory, behind a store of the test's own (given the in-memory one), e.g. one that
    /// holds or fails some writes.</summary>
    public static TestStorage InMemoryBehind(Func<IGrainStorage, IGrainStorage> wrap) => new Memory(wrap);

    internal abstract void AddTo(ISiloBuilder silo);

    private sealed record Memory(Func<IGrainStorage, IGrainStorage>? Wrap) : TestStorage
    {
        private const string Inner = "hazardgrid-test-inner";

        internal override void AddTo(ISiloBuilder silo)
        {
            var name = Wrap is null ? StorageNames.Store : Inner;
            silo.AddMemoryGrainStorage(name, storage => storage.Configure<Serializer>(
                (o, serializer) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer)));
            if (Wrap is { } wrap)
            {
                silo.Services.AddKeyedSingleton(StorageNames.Store, (services, _) => wrap(services.GetRequiredKeyedService<IGrainStorage>(Inner)));
            }
        }
    }

    private sealed record SqliteFile(string DataDirectory) : TestStorage
    {
        internal override void AddTo(ISiloBuilder silo) => silo.AddHazardGridSqliteStorage(DataDirectory);
    }
}

/// <summary>What a test cluster is made of; every test cluster is built from one of these by
/// <see cref="TestClusters.StartAsync"/>.</summary>
public sealed record TestClusterSettings
{
    public int Silos { get; init; } = 1;

    /// <summary>Clusters that must read each other's state (a restart on the same file) share one.</summary>
    public string ServiceId { get; init; } = "hazardgrid-test";

    public TestStorage Storage { get; init; } = TestStorage.InMemory;

    /// <summary>The domain clock's time; null for the system's.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Short by default, so figures reach the province in a few tens of milliseconds.</summary>
    public TimeSpan FlushDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Short by default, so a town notices a moved clock within a few tens of milliseconds.</summary>
    public TimeSpan ClockCheckPeriod { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Anything more a test adds to every silo (a call filter, a listener).</summary>
    public Action<ISiloBuilder>? Silo { get; init; }
}

/// <summary>The one place a test starts an in-process cluster of real silos with the real grains.</summary>
public static class TestClusters
{
    public static async Task<InProcessTestCluster> StartAsync(TestClusterSettings options)
    {
        var builder = new InProcessTestClusterBuilder((short)options.Silos);
        builder.Options.ServiceId = options.ServiceId;
        builder.ConfigureSilo((_, silo) =>
        {
            options.Storage.AddTo(silo);
            if (options.Time is { } time)
            {
                silo.Services.AddSingleton(new DomainClock(time));
            }

            silo.AddHazardGrid();
            silo.Services.Configure<RollupOptions>(o =>
            {
                o.FlushDelay = options.FlushDelay;
                o.ClockCheckPeriod = options.ClockCheckPeriod;
            });
            options.Silo?.Invoke(silo);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
