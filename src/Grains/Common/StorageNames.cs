namespace HazardGrid.Common;

/// <summary>The grain storage providers the grains expect the silo to register.</summary>
public static class StorageNames
{
    /// <summary>Durable state of enterprises, hazards (with their notification records) and town ledgers.</summary>
    public const string Store = "HazardGridStore";
}
