using System.Data.Common;
using HazardGrid.Common;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace HazardGrid.Silo.Storage;

public static class GroupCommitStorageExtensions
{
    /// <summary>The name the ADO.NET provider is registered under when the group commit fronts it.</summary>
    public const string ProviderName = StorageNames.Store + ".AdoNet";

    /// <summary>
    /// The service's grain store (<see cref="StorageNames.Store"/>) through Orleans' ADO.NET
    /// provider on <paramref name="invariant"/>, with writes committed in groups by
    /// <see cref="GroupCommitGrainStorage"/> unless <paramref name="groupCommit"/> is off
    /// (<c>HazardGrid:GroupCommit=false</c>: every write its own transaction, as the provider does;
    /// kept to measure the difference).
    /// </summary>
    public static ISiloBuilder AddHazardGridGrainStore(
        this ISiloBuilder silo, string invariant, string connectionString, Func<DbConnection> connect, GroupCommitOptions options, bool groupCommit = true)
    {
        var providerName = groupCommit ? ProviderName : StorageNames.Store;
        silo.AddAdoNetGrainStorage(providerName, storage => storage.Configure<Serializer>((o, serializer) =>
        {
            o.Invariant = invariant;
            o.ConnectionString = connectionString;

            // Orleans' own binary format, not the provider's JSON default: it honours the
            // [Id]-numbered, version-tolerant contracts of the state records, and is far smaller.
            o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));
        if (groupCommit)
        {
            silo.Services.AddGrainStorage(StorageNames.Store, (services, name) => new GroupCommitGrainStorage(
                name,
                services.GetRequiredKeyedService<IGrainStorage>(ProviderName),
                connect,
                new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>()),
                services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
                options,
                services.GetRequiredService<Orleans.Serialization.Serializers.IActivatorProvider>(),
                services.GetRequiredService<ILogger<GroupCommitGrainStorage>>()));
        }

        return silo;
    }
}
