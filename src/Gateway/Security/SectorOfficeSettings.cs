using HazardGrid.Sectors;

namespace HazardGrid.Gateway.Security;

/// <summary>
/// Reads the sector offices from configuration: <c>HazardGrid:SectorOffices:{office}:Sectors:N</c>
/// (sector names of <see cref="Enterprises.Sector"/>). Nothing configured gives
/// <see cref="SectorOffices.Default"/>; any office configured replaces the defaults as a whole, so
/// an office left out is no office. Bad settings stop the start with every problem listed. The
/// silos and the gateways read the same settings (the towns count figures per office's sectors).
/// </summary>
public static class SectorOfficeSettings
{
    public static SectorOffices Load(IConfiguration configuration)
    {
        var configured = configuration.GetSection(SectorOffices.Section).GetChildren().ToDictionary(
            office => office.Key,
            office => (IReadOnlyList<string>)[.. office.GetSection("Sectors").GetChildren().Select(s => s.Value ?? string.Empty)]);
        return SectorOffices.Problems(configured) is { Count: > 0 } problems
            ? throw new InvalidOperationException(string.Join(Environment.NewLine, problems))
            : SectorOffices.From(configured);
    }
}
