using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using HazardGrid.Api.V1;

namespace HazardGrid.Gateway.Circulars;

/// <summary>
/// The circular as one self-contained HTML page in Chinese: no script and nothing fetched (the
/// service may run on a network without the internet, and the page is printed to PDF offline),
/// every value HTML-encoded (names come from pushing systems), and a print stylesheet for A4.
/// </summary>
public static class CircularHtml
{
    // Encodes markup characters (< > & " ' and more) but leaves Chinese readable in the source.
    private static readonly HtmlEncoder s_encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private const string Style = """
        body { font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; margin: 2em auto; max-width: 60em; color: #111; }
        h1 { font-size: 1.5em; text-align: center; }
        h2 { font-size: 1.1em; margin-top: 1.6em; border-bottom: 1px solid #999; }
        p.as-of { text-align: center; color: #444; }
        table { border-collapse: collapse; width: 100%; font-size: 0.85em; }
        th, td { border: 1px solid #888; padding: 0.25em 0.4em; text-align: left; vertical-align: top; }
        th { background: #eee; }
        p.none { color: #666; }
        @media print {
          @page { size: A4; margin: 15mm; }
          body { margin: 0; max-width: none; }
          h2 { break-after: avoid; }
          tr { break-inside: avoid; }
          thead { display: table-header-group; }
        }
        """;

    /// <summary>A page in the circular's style and fonts (regular and bold Chinese), printed to
    /// warm the printing browser up (<see cref="ChromiumPrinter.Prepare"/>).</summary>
    public static string WarmUpPage { get; } =
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<style>\n" + Style
        + "\n</style>\n</head>\n<body>\n<h1>重大事故隐患排查整治情况通报</h1>\n<table><thead><tr><th>地区</th><th>逾期</th></tr></thead><tbody><tr><td>山东省</td><td>0</td></tr></tbody></table>\n</body>\n</html>\n";

    public static string Render(MonthlyCircular c)
    {
        var title = CircularText.Title(c);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(title)).Append("</title>\n<style>\n")
            .Append(Style).Append("\n</style>\n</head>\n<body>\n");
        html.Append("<h1>").Append(E(title)).Append("</h1>\n");
        html.Append("<p class=\"as-of\">").Append(E(CircularText.AsOf(c))).Append("</p>\n");
        foreach (var table in CircularTables.Of(c))
        {
            html.Append("<h2>").Append(E(table.Title)).Append("</h2>\n");
            if (table.Rows.Count == 0)
            {
                html.Append("<p class=\"none\">无。</p>\n");
                continue;
            }

            html.Append("<table>\n<thead><tr>");
            foreach (var header in table.Headers)
            {
                html.Append("<th>").Append(E(header)).Append("</th>");
            }

            html.Append("</tr></thead>\n<tbody>\n");
            foreach (var row in table.Rows)
            {
                html.Append("<tr>");
                foreach (var cell in row)
                {
                    html.Append("<td>").Append(E(cell)).Append("</td>");
                }

                html.Append("</tr>\n");
            }

            html.Append("</tbody>\n</table>\n");
        }

        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static string E(string text) => s_encoder.Encode(text);
}
