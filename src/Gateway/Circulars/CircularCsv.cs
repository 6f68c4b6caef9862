using CsvHelper;
using HazardGrid.Api.V1;

namespace HazardGrid.Gateway.Circulars;

/// <summary>
/// The circular as CSV for Excel: UTF-8 with a byte-order mark (without it Excel reads the bytes
/// as the local ANSI code page and Chinese comes out garbled), RFC 4180 quoting and CR LF, and
/// every text cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) prefixed
/// with a single quote: names and descriptions come from pushing systems, not from us.
/// </summary>
public static class CircularCsv
{
    private static readonly CsvWriterOptions s_options = new()
    {
        WriteByteOrderMark = true,
        Injection = CsvInjection.Escape,
        InjectionEscape = '\'',
    };

    public static byte[] Render(MonthlyCircular c)
    {
        var tables = CircularTables.Of(c);

        // RFC 4180 wants one field count throughout: every row is padded to the widest section.
        var width = tables.Max(t => t.Headers.Count);
        using var bytes = new MemoryStream();
        using (var csv = CsvWriter.Create(bytes, s_options, leaveOpen: true))
        {
            Row(csv, width, [CircularText.Title(c)]);
            Row(csv, width, [CircularText.AsOf(c)]);
            foreach (var table in tables)
            {
                Row(csv, width, []);
                Row(csv, width, [table.Title]);
                Row(csv, width, table.Headers);
                foreach (var row in table.Rows)
                {
                    Row(csv, width, row);
                }
            }
        }

        return bytes.ToArray();
    }

    private static void Row(CsvWriter csv, int width, IReadOnlyList<string> fields)
    {
        for (var i = 0; i < width; i++)
        {
            csv.WriteField(i < fields.Count ? fields[i] : string.Empty);
        }

        csv.EndRecord();
    }
}
