namespace HazardGrid.Common;

/// <summary>The grain storage providers the grains expect the silo to register.</summary>
public static class StorageNames
{
    /// <summary>Durable state of enterprises, hazards, town ledgers and notification logs.</summary>
    public const string Store = "HazardGridStore";
}
