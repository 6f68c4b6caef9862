using HazardGrid.Api.V1;
using static HazardGrid.Gateway.Circulars.CircularText;

namespace HazardGrid.Gateway.Circulars;

/// <summary>One section of the circular: a title, column headers and rows of plain text.</summary>
public sealed record CircularTable(string Title, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>
/// The circular's sections as tables of plain (unescaped) text, in the order the documents show
/// them. The HTML and CSV documents both render these, so they cannot say different things;
/// each escapes for its own format.
/// </summary>
public static class CircularTables
{
    private static readonly string[] s_hazardHeaders = ["企业名称", "统一社会信用代码", "所属乡镇（街道）", "行业领域", "隐患编号", "判定依据", "隐患部位", "发现时间", "整改期限", "当前状态", "督办层级", "已升级措施"];

    public static IReadOnlyList<CircularTable> Of(MonthlyCircular c)
    {
        var tables = new List<CircularTable>
        {
            new("一、本月总体情况", ["指标", "数值"], [.. Figures(c).Select(f => (IReadOnlyList<string>)[f.Label, f.Value])]),
            new("二、分行业情况", ["行业领域", "新发现", "销号", "销号率", "月末未销号", "月末逾期"],
                [.. c.Statistics.BySector.Select(s => (IReadOnlyList<string>)[Sector(s.Sector), Number(s.Figures.Found), Number(s.Figures.Closed), Percent(s.Figures.ClosureRate), Number(s.Figures.OpenAtEnd), Number(s.Figures.OverdueAtEnd)])]),
        };
        if (c.Ranking.Count > 0)
        {
            tables.Add(new("三、下级区域排名（按逾期占比从高到低、销号率从低到高）", ["排名", "区域", "区划代码", "新发现", "销号", "销号率", "月末未销号", "月末逾期", "逾期占比"],
                [.. c.Ranking.Select(r => (IReadOnlyList<string>)[Number(r.Rank), r.DisplayName, r.Name["regions/".Length..], Number(r.Figures.Found), Number(r.Figures.Closed),
                    Percent(r.Figures.ClosureRate), Number(r.Figures.OpenAtEnd), Number(r.Figures.OverdueAtEnd), Percent(r.OverdueShare)])]));
        }

        tables.Add(new("四、月末逾期未整改的重大事故隐患", s_hazardHeaders, [.. c.OverdueHazards.Select(HazardRow)]));
        tables.Add(new("五、本月升级督办的重大事故隐患", s_hazardHeaders, [.. c.EscalatedHazards.Select(HazardRow)]));
        tables.Add(new("六、本月升级措施", ["执行时间", "措施", "企业名称", "所属乡镇（街道）", "隐患编号", "应执行时间"],
            [.. c.Steps.Select(s => (IReadOnlyList<string>)[Time(s.FireTime), Step(s.Step), s.EnterpriseDisplayName, s.TownDisplayName, HazardId(s.Hazard), Time(s.DueTime)])]));
        tables.Add(new("七、本月死亡事故", ["发生时间", "企业名称", "统一社会信用代码", "所属乡镇（街道）", "死亡人数", "简要情况"],
            [.. c.FatalAccidents.Select(a => (IReadOnlyList<string>)[Time(a.Accident.OccurredTime), a.EnterpriseDisplayName, CreditCode(a.Enterprise), a.TownDisplayName, Number(a.Accident.Deaths), a.Accident.Description])]));
        return tables;
    }

    private static IReadOnlyList<string> HazardRow(CircularHazard h) =>
        [h.EnterpriseDisplayName, CreditCode(h.Enterprise), h.TownDisplayName, Sector(h.Sector), HazardId(h.Name), h.Criterion, h.Location,
            Date(h.FoundTime), Date(h.Deadline), State(h.State), Level(h.SupervisionLevel), Steps(h.Steps)];

    /// <summary>enterprises/{code}/hazards/{n} → {code}-{n}, how a person quotes a hazard.</summary>
    private static string HazardId(string name) => $"{CreditCode(name[..name.IndexOf("/hazards/", StringComparison.Ordinal)])}-{HazardNumber(name)}";
}
