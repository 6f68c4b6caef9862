using HazardGrid.Api.V1;
using HazardGrid.Enterprises;
using HazardGrid.Regions;

namespace HazardGrid.Tests.Infrastructure;

/// <summary>Valid inputs: real towns of the shipped tree, credit codes with correct check characters.</summary>
public static class TestData
{
    private static int s_serial = Random.Shared.Next(1_000_000);

    public static RegionCatalog Regions => RegionCatalog.Shandong;

    /// <summary>A fresh valid credit code in the given town's county (the division part of the code).</summary>
    public static string NewCreditCode(string townCode)
    {
        var serial = Interlocked.Increment(ref s_serial);
        var organisation = serial.ToString("D8", System.Globalization.CultureInfo.InvariantCulture) + "X";
        return UnifiedSocialCreditCode.Complete("91" + townCode[..6] + organisation);
    }

    public static string NewRequestId() => Guid.NewGuid().ToString("N");

    /// <summary>The first <paramref name="count"/> towns of a county, for spreading test enterprises.</summary>
    public static IReadOnlyList<string> TownsOf(string countyCode, int count) => [.. Regions.ChildrenOf(countyCode).Take(count)];

    public static Api.V1.Enterprise NewEnterprise(string townCode, params Api.V1.Sector[] sectors)
    {
        var code = NewCreditCode(townCode);
        var enterprise = new Api.V1.Enterprise
        {
            CreditCode = code,
            DisplayName = $"测试企业 {code[^6..]}",
            Town = townCode,
            Principal = new Api.V1.Person { Name = "张主任", Phone = "13800000001" },
            ActualController = new Api.V1.Person { Name = "李控制", Phone = "13800000002" },
            SafetyDirector = new Api.V1.Person { Name = "王总监" },
        };
        enterprise.Sectors.AddRange(sectors.Length == 0 ? [Api.V1.Sector.Chemicals] : sectors);
        return enterprise;
    }
}
