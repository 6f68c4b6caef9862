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

/// <summary>Where a simulated tip ends up.</summary>
public enum TipOutcome
{
    /// <summary>Received lately, not yet verified.</summary>
    Pending,
    Dismissed,
    VerifiedAsViolation,
    VerifiedAsHazard,
}

/// <summary>A rewarded tip (有奖举报). <see cref="Hazard"/> is the hazard it is verified as (that
/// hazard is then registered through VerifyTip instead of ReportHazard); <see cref="Enterprise"/>
/// is null for a tip about an address in <see cref="TownCode"/>.</summary>
public sealed record SimTip(int Index, SimEnterprise? Enterprise, string TownCode, TipChannel Channel, DateTimeOffset ReceivedAt, TipOutcome Outcome, SimHazard? Hazard, long RewardFen, bool RewardPaid, bool Named)
{
    public string CountyCode => TownCode[..6];

    public bool IsVerified => Outcome is TipOutcome.VerifiedAsHazard or TipOutcome.VerifiedAsViolation;
}

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

    /// <summary>
    /// Rewarded tips (有奖举报), from 004: 39,300 tips accepted, 20,500 verified and ¥4,838,600 paid
    /// province-wide since the 2021 reward measures. So 52.2% of tips are verified (the rest
    /// dismissed), a verified tip earns ¥236.03 on average, and the 20,500 verified tips are the
    /// VerifiedTip hazards above (10.25% of ~200,000). The simulated county systems handle only
    /// <see cref="TipShare"/> of those tips through the TipService (the rest arrive as hazards
    /// reported with channel VerifiedTip, verified in the counties' own systems): each tip costs
    /// three or four calls, and a tenth of the province's tips keeps them a few percent of the
    /// load's writes (about 3%) while still exercising every path. Of the verified tips handled
    /// here, <see cref="TipHazardShare"/> are major hazards and the rest violations (004 gives no
    /// split: our assumption, most tips rewarded there being hazards); the reward amounts follow
    /// an exponential spread around 004's mean (its examples — ¥186,600, ¥329,000, ¥500,000 — are
    /// the rare large ones); one verified tip in ten has its reward decided but not yet paid.
    /// </summary>
    public const double TipShare = 0.1;

    public const double TipHazardShare = 0.8;

    /// <summary>004: 20,500 verified of 39,300 accepted.</summary>
    public const double TipsReceivedPerVerified = 39_300.0 / 20_500.0;

    /// <summary>004: ¥4,838,600 paid for 20,500 verified tips, in fen.</summary>
    public const double MeanRewardFen = 4_838_600_00.0 / 20_500.0;

    private static readonly (TipChannel Channel, double Share)[] s_tipChannels =
    [
        (TipChannel.Hotline, 0.5), (TipChannel.Website, 0.15), (TipChannel.MobileApp, 0.2), (TipChannel.Letter, 0.1), (TipChannel.Visit, 0.05),
    ];

    private ProvinceModel(int seed, IReadOnlyList<SimEnterprise> enterprises, IReadOnlyList<SimHazard> hazards, IReadOnlyList<SimTip> tips)
    {
        Seed = seed;
        Enterprises = enterprises;
        Hazards = hazards;
        Tips = tips;
        _tipOfHazard = tips.Where(t => t.Hazard is not null).ToDictionary(t => t.Hazard!.Index);
    }

    private readonly Dictionary<int, SimTip> _tipOfHazard;

    public int Seed { get; }

    public IReadOnlyList<SimEnterprise> Enterprises { get; }

    public IReadOnlyList<SimHazard> Hazards { get; }

    public IReadOnlyList<SimTip> Tips { get; }

    /// <summary>The tip a hazard is verified from, if it is registered through the TipService.</summary>
    public SimTip? TipOf(SimHazard hazard) => _tipOfHazard.GetValueOrDefault(hazard.Index);

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

        // Tips are drawn after everything else, so a seed's enterprises and hazards are what they were.
        var tips = new List<SimTip>();
        long Reward() => Math.Max(100, (long)Math.Round(-Math.Log(1 - random.NextDouble()) * MeanRewardFen));
        foreach (var h in hazards.Where(h => h.Channel == ReportChannel.VerifiedTip))
        {
            if (random.NextDouble() < TipShare)
            {
                tips.Add(new SimTip(tips.Count, h.Enterprise, h.Enterprise.TownCode, Pick(random, s_tipChannels), h.FoundAt, TipOutcome.VerifiedAsHazard, h, Reward(), random.Next(10) > 0, random.Next(2) == 0));
            }
        }

        var verified = (int)Math.Round(tips.Count / TipHazardShare);
        var received = (int)Math.Round(verified * TipsReceivedPerVerified);
        for (var k = tips.Count; k < received; k++)
        {
            var receivedAt = now.AddYears(-3).AddDays(random.NextDouble() * (span - 1));
            var outcome = (now - receivedAt).TotalDays < 10 ? TipOutcome.Pending : k < verified ? TipOutcome.VerifiedAsViolation : TipOutcome.Dismissed;
            var aboutEnterprise = random.NextDouble() < 0.7;
            var enterprise = enterprises[random.Next(enterpriseCount)];
            var town = aboutEnterprise ? enterprise.TownCode : towns[random.Next(towns.Length)].Code;
            tips.Add(new SimTip(tips.Count, aboutEnterprise ? enterprise : null, town, Pick(random, s_tipChannels), receivedAt, outcome, null,
                outcome == TipOutcome.VerifiedAsViolation ? Reward() : 0, random.Next(10) > 0, random.Next(2) == 0));
        }

        return new ProvinceModel(seed, enterprises, hazards, tips);
    }

    /// <summary>The province figures this model must produce once loaded (the time-free ones).</summary>
    public Expected ExpectedProvince() => Expected.Of(Hazards) with
    {
        TipsReceived = Tips.Count,
        TipsVerified = Tips.Count(t => t.IsVerified),
        TipRewardsPaidFen = Tips.Where(t => t.IsVerified && t.RewardPaid).Sum(t => t.RewardFen),
    };

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
public sealed record Expected(int Registered, int Rectifying, int AwaitingVerification, int Closed, int Withdrawn, int Invalid, int OpenStock, int OpenIncrement, int ClosedStock, int ClosedIncrement,
    int TipsReceived = 0, int TipsVerified = 0, long TipRewardsPaidFen = 0)
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

    public static IEnumerable<(string Label, long Simulator, long Province)> Compare(Expected mine, Expected theirs)
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
        yield return ("tips received (有奖举报)", mine.TipsReceived, theirs.TipsReceived);
        yield return ("tips verified", mine.TipsVerified, theirs.TipsVerified);
        yield return ("tip rewards paid (fen)", mine.TipRewardsPaidFen, theirs.TipRewardsPaidFen);
    }

    public static Expected Of(HazardFigures f) => new(
        f.Registered, f.Rectifying, f.AwaitingVerification, f.Closed, f.Withdrawn, f.Invalid, f.OpenStock, f.OpenIncrement, f.ClosedStock, f.ClosedIncrement,
        f.TipsReceived, f.TipsVerified, f.TipRewardsPaidFen);
}
