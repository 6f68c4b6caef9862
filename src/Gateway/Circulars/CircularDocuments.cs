using System.Text;
using Google.Api;
using Google.Protobuf;
using HazardGrid.Api.V1;
using HazardGrid.Common;
using Microsoft.Net.Http.Headers;

namespace HazardGrid.Gateway.Circulars;

/// <summary>The formats a circular downloads in.</summary>
public enum CircularFormat
{
    Html,
    Csv,
    Pdf,
}

/// <summary>Turns a circular into the document ExportMonthlyCircular answers, and names its file.</summary>
public static class CircularDocuments
{
    /// <summary>Empty is HTML: the document every browser opens.</summary>
    public static CircularFormat ParseFormat(string? format) => (format ?? string.Empty).Trim().ToLowerInvariant() switch
    {
        "" or "html" => CircularFormat.Html,
        "csv" => CircularFormat.Csv,
        "pdf" => CircularFormat.Pdf,
        _ => throw DomainException.Invalid("format", $"'{format}' is not a circular format: html, csv or pdf"),
    };

    public static async Task<HttpBody> Render(MonthlyCircular circular, CircularFormat format, ChromiumPrinter printer, CancellationToken cancellationToken)
    {
        var (type, bytes) = format switch
        {
            CircularFormat.Csv => ("text/csv; charset=utf-8", CircularCsv.Render(circular)),
            CircularFormat.Pdf => ("application/pdf", await printer.PrintAsync(CircularHtml.Render(circular), cancellationToken)),
            _ => ("text/html; charset=utf-8", Encoding.UTF8.GetBytes(CircularHtml.Render(circular))),
        };
        return new HttpBody { ContentType = type, Data = ByteString.CopyFrom(bytes) };
    }

    /// <summary>
    /// A CSV is saved (attachment); HTML and PDF open in the browser (inline) and save under the
    /// same name. The ASCII name is for old clients; filename* carries the Chinese one (RFC 6266).
    /// </summary>
    public static string ContentDisposition(MonthlyCircular circular, CircularFormat format)
    {
        var extension = format.ToString().ToLowerInvariant();
        var header = new ContentDispositionHeaderValue(format == CircularFormat.Csv ? "attachment" : "inline");
        header.SetHttpFileName($"{circular.DisplayName}{CircularText.MonthText(circular.Month)}重大事故隐患通报.{extension}");
        header.FileName = $"circular-{circular.Name["regions/".Length..]}-{circular.Month}.{extension}";
        return header.ToString();
    }
}
