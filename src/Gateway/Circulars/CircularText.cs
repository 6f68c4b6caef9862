using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using HazardGrid.Api.V1;
using HazardGrid.Common;

namespace HazardGrid.Gateway.Circulars;

/// <summary>The Chinese words and number formats the circular's documents share (HTML and CSV say
/// the same thing in the same words). Times are China time, as the service prints them everywhere.</summary>
public static class CircularText
{
    /// <summary>The title; a sector office's circular names its sectors, so a printed copy cannot pass for the region's whole circular.</summary>
    public static string Title(MonthlyCircular c) =>
        $"{c.DisplayName}{MonthText(c.Month)}重大事故隐患排查整治情况通报" + (c.Sectors.Count == 0 ? "" : $"（{string.Join("、", c.Sectors.Select(Sector))}）");

    /// <summary>2026-10 → 2026年10月.</summary>
    public static string MonthText(string month) =>
        month.Length == 7 ? $"{month[..4]}年{int.Parse(month[5..], CultureInfo.InvariantCulture)}月" : month;

    public static string Time(Timestamp? t) =>
        t is null ? "" : ChinaTime.ToChina(t.ToDateTimeOffset()).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public static string Date(Timestamp? t) =>
        t is null ? "" : ChinaTime.ToChina(t.ToDateTimeOffset()).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Percent(double share) => share.ToString("0.0%", CultureInfo.InvariantCulture);

    public static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>The part of a resource name after its last slash: a credit code, a hazard number.</summary>
    public static string HazardNumber(string name) => name[(name.LastIndexOf('/') + 1)..];

    public static string CreditCode(string enterprise) => enterprise.StartsWith("enterprises/", StringComparison.Ordinal) ? enterprise["enterprises/".Length..] : enterprise;

    public static string Steps(IEnumerable<Escalation> steps) => string.Join("、", steps.Select(s => $"{Step(s.Step)}({Date(s.FireTime)})"));

    public static string Sector(Sector s) => s switch
    {
        Api.V1.Sector.Chemicals => "化工",
        Api.V1.Sector.CoalMining => "煤矿",
        Api.V1.Sector.NonCoalMining => "非煤矿山",
        Api.V1.Sector.IndustryTrade => "工贸",
        Api.V1.Sector.FireSafety => "消防",
        Api.V1.Sector.Transport => "交通运输",
        Api.V1.Sector.Construction => "建筑施工",
        Api.V1.Sector.Gas => "燃气",
        Api.V1.Sector.Maritime => "海上安全",
        Api.V1.Sector.SpecialEquipment => "特种设备",
        Api.V1.Sector.Fireworks => "烟花爆竹",
        Api.V1.Sector.CivilExplosives => "民爆",
        Api.V1.Sector.DustExplosion => "粉尘涉爆",
        Api.V1.Sector.AmmoniaRefrigeration => "涉氨制冷",
        _ => "其他",
    };

    public static string State(HazardState s) => s switch
    {
        HazardState.Registered => "已登记",
        HazardState.Rectifying => "整改中",
        HazardState.AwaitingVerification => "待验收",
        HazardState.Closed => "已销号",
        HazardState.Withdrawn => "已撤回",
        HazardState.Invalid => "已认定无效",
        _ => "其他",
    };

    public static string Step(EscalationStep s) => s switch
    {
        EscalationStep.WarningLetter => "函告",
        EscalationStep.Circular => "通报",
        EscalationStep.Summons => "约谈",
        EscalationStep.PublicExposure => "曝光",
        EscalationStep.AccidentInvestigation => "按事故调查处理",
        _ => "其他",
    };

    public static string Level(SupervisionLevel l) => l switch
    {
        SupervisionLevel.County => "县级",
        SupervisionLevel.City => "市级",
        SupervisionLevel.Province => "省级",
        _ => "",
    };

    /// <summary>The rows of the month's figures: label and value, in the order both documents show them.</summary>
    public static IReadOnlyList<(string Label, string Value)> Figures(MonthlyCircular c)
    {
        var f = c.Statistics.Figures;
        return
        [
            ("新发现隐患", Number(f.Found)),
            ("整改销号", Number(f.Closed)),
            ("其中按期销号", Number(f.ClosedOnTime)),
            ("其中逾期销号", Number(f.ClosedLate)),
            ("销号率", Percent(f.ClosureRate)),
            ("月末未销号", Number(f.OpenAtEnd)),
            ("月末逾期未整改", Number(f.OverdueAtEnd)),
            ("销号天数中位数", Number(f.MedianDaysToClose)),
            ("函告", Number(f.WarningLetters)),
            ("通报", Number(f.Circulars)),
            ("约谈", Number(f.Summons)),
            ("曝光", Number(f.Exposures)),
            ("按事故调查处理", Number(f.Investigations)),
            ("死亡事故", Number(c.FatalAccidents.Count)),
            ("死亡人数", Number(c.Deaths)),
        ];
    }

    /// <summary>"统计截至 …" with a note while the month still runs.</summary>
    public static string AsOf(MonthlyCircular c) =>
        $"统计截至 {Time(c.Statistics.AsOf)}（北京时间）" + (c.Statistics.Complete ? "" : "，本月尚未结束，数据为截至当前");
}
