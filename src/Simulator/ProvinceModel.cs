using System.Globalization;
using HazardGrid.Api.V1;
using HazardGrid.Common;
using HazardGrid.Enterprises;
using HazardGrid.Regions;
using Sector = HazardGrid.Api.V1.Sector;

namespace HazardGrid.Simulator;

/// <summary>Where a simulated hazard's lifecycle ends up.</summary>
public enum Outcome
{
    Registered,
    Rectifying,
    AwaitingVerification,
    Closed,
    Withdrawn,
    Invalid,
}

public sealed record SimEnterprise(int Index, string CreditCode, string TownCode, string CountyCode, Sector Sector);

public sealed record SimHazard(int Index, SimEnterprise Enterprise, ReportChannel Channel, DateTimeOffset FoundAt, Outcome Outcome, int DeadlineDays)
{
    public string Criterion => $"{Enterprise.Sector}-{Index % 97 + 1}";

    public string Location => $"区域 {Index}";

    public bool IsStock => ChinaTime.IsStock(FoundAt);
}

/// <summary>
/// A province generated from a seed: the same seed gives the same enterprises, hazards and
/// outcomes, so a run can be repeated (and its request ids replayed) exactly. Shares follow the
/// seed documents where they give figures (004: 39,300 tips received and 20,500 verified, so
/// verified tips are ~10% of hazards; 1,270 major-hazard chemical enterprises and 203 non-coal
/// mines among ~1,000,000 enterprises); the rest are this project's assumptions.
/// </summary>
public sealed class ProvinceModel
{
    private static readonly (Sector Sector, double Share)[] s_sectors =
    [
        (Sector.IndustryTrade, 0.44),
        (Sector.Construction, 0.15),
        (Sector.Transport, 0.10),
        (Sector.FireSafety, 0.12),
        (Sector.SpecialEquipment, 0.06),
        (Sector.DustExplosion, 0.04),
        (Sector.Gas, 0.03),
        (Sector.Maritime, 0.02),
        (Sector.Chemicals, 0.025),
        (Sector.AmmoniaRefrigeration, 0.008),
        (Sector.Fireworks, 0.004),
        (Sector.NonCoalMining, 0.002),
        (Sector.CoalMining, 0.0008),
        (Sector.CivilExplosives, 0.0002),
    ];

    private static readonly (ReportChannel Channel, double Share)[] s_channels =
    [
        (ReportChannel.SelfReport, 0.45),
        (ReportChannel.Inspection, 0.3875),
        (ReportChannel.VerifiedTip, 0.1025),
        (ReportChannel.ExpertDiagnosis, 0.06),
    ];

    private ProvinceModel(int seed, IReadOnlyList<SimEnterprise> enterprises, IReadOnlyList<SimHazard> hazards)
    {
        Seed = seed;
        Enterprises = enterprises;
        Hazards = hazards;
    }

    public int Seed { get; }

    public IReadOnlyList<SimEnterprise> Enterprises { get; }

    public IReadOnlyList<SimHazard> Hazards { get; }

    /// <summary>Generates a province: enterprises over every real town, hazards over three years up to <paramref name="now"/>.</summary>
    public static ProvinceModel Generate(int seed, int enterpriseCount, int hazardCount, DateTimeOffset now)
    {
        var random = new Random(seed);
        var towns = RegionCatalog.Shandong.All.Where(r => r.Level == HazardGrid.Regions.RegionLevel.Town).OrderBy(r => r.Code, StringComparer.Ordinal).ToArray();
        var enterprises = new SimEnterprise[enterpriseCount];
        for (var i = 0; i < enterpriseCount; i++)
        {
            var town = towns[random.Next(towns.Length)];
            var code = UnifiedSocialCreditCode.Complete(
                "91" + town.Code[..6] + (seed % 10).ToString(CultureInfo.InvariantCulture) + i.ToString("D7", CultureInfo.InvariantCulture) + "X");
            enterprises[i] = new SimEnterprise(i, code, town.Code, town.ParentCode!, Pick(random, s_sectors));
        }

        var hazards = new SimHazard[hazardCount];
        var span = (now - now.AddYears(-3)).TotalDays;
        for (var j = 0; j < hazardCount; j++)
        {
            var enterprise = enterprises[random.Next(enterpriseCount)];
            var foundAt = now.AddYears(-3).AddDays(random.NextDouble() * (span - 1));
            var ageDays = (now - foundAt).TotalDays;

            // Older hazards are mostly closed; recent ones are still being worked on.
            var roll = random.NextDouble();
            var outcome = ageDays switch
            {
                > 365 => roll switch { < 0.86 => Outcome.Closed, < 0.90 => Outcome.Withdrawn, < 0.93 => Outcome.Invalid, < 0.98 => Outcome.Rectifying, _ => Outcome.AwaitingVerification },
                > 90 => roll switch { < 0.60 => Outcome.Closed, < 0.64 => Outcome.Withdrawn, < 0.66 => Outcome.Invalid, < 0.90 => Outcome.Rectifying, _ => Outcome.AwaitingVerification },
                _ => roll switch { < 0.15 => Outcome.Closed, < 0.17 => Outcome.Withdrawn, < 0.35 => Outcome.Registered, < 0.85 => Outcome.Rectifying, _ => Outcome.AwaitingVerification },
            };
            hazards[j] = new SimHazard(j, enterprise, Pick(random, s_channels), foundAt, outcome, random.Next(15, 120));
        }

        return new ProvinceModel(seed, enterprises, hazards);
    }

    /// <summary>The province figures this model must produce once loaded (the time-free ones).</summary>
    public Expected ExpectedProvince() => Expected.Of(Hazards);

    private static T Pick<T>(Random random, (T Value, double Share)[] shares)
    {
        var roll = random.NextDouble() * shares.Sum(s => s.Share);
        foreach (var (value, share) in shares)
        {
            roll -= share;
            if (roll < 0)
            {
                return value;
            }
        }

        return shares[^1].Value;
    }
}

/// <summary>The simulator's own count of what it pushed, to hold the service's figures against.</summary>
public sealed record Expected(int Registered, int Rectifying, int AwaitingVerification, int Closed, int Withdrawn, int Invalid, int OpenStock, int OpenIncrement, int ClosedStock, int ClosedIncrement)
{
    public static Expected Of(IEnumerable<SimHazard> hazards)
    {
        var list = hazards.ToList();
        bool Open(SimHazard h) => h.Outcome is Outcome.Registered or Outcome.Rectifying or Outcome.AwaitingVerification;
        return new Expected(
            list.Count(h => h.Outcome == Outcome.Registered),
            list.Count(h => h.Outcome == Outcome.Rectifying),
            list.Count(h => h.Outcome == Outcome.AwaitingVerification),
            list.Count(h => h.Outcome == Outcome.Closed),
            list.Count(h => h.Outcome == Outcome.Withdrawn),
            list.Count(h => h.Outcome == Outcome.Invalid),
            list.Count(h => Open(h) && h.IsStock),
            list.Count(h => Open(h) && !h.IsStock),
            list.Count(h => h.Outcome == Outcome.Closed && h.IsStock),
            list.Count(h => h.Outcome == Outcome.Closed && !h.IsStock));
    }

    public static IEnumerable<(string Label, int Simulator, int Province)> Compare(Expected mine, Expected theirs)
    {
        yield return ("registered", mine.Registered, theirs.Registered);
        yield return ("rectifying", mine.Rectifying, theirs.Rectifying);
        yield return ("awaiting verification", mine.AwaitingVerification, theirs.AwaitingVerification);
        yield return ("closed", mine.Closed, theirs.Closed);
        yield return ("withdrawn", mine.Withdrawn, theirs.Withdrawn);
        yield return ("invalid", mine.Invalid, theirs.Invalid);
        yield return ("open stock (存量)", mine.OpenStock, theirs.OpenStock);
        yield return ("open increment (增量)", mine.OpenIncrement, theirs.OpenIncrement);
        yield return ("closed stock", mine.ClosedStock, theirs.ClosedStock);
        yield return ("closed increment", mine.ClosedIncrement, theirs.ClosedIncrement);
    }

    public static Expected Of(HazardFigures f) => new(
        f.Registered, f.Rectifying, f.AwaitingVerification, f.Closed, f.Withdrawn, f.Invalid, f.OpenStock, f.OpenIncrement, f.ClosedStock, f.ClosedIncrement);
}
