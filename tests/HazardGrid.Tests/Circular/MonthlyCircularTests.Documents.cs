using System.Net;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using HazardGrid.Api.V1;
using HazardGrid.Common;
using HazardGrid.Tests.Infrastructure;
using HazardGrid.Tests.JsonApi;
using Xunit;

namespace HazardGrid.Tests.Circular;

/// <summary>
/// The circular's documents, downloaded as a supervisor of the county would: the bytes of the CSV,
/// the markup of the HTML and the PDF. Names come from pushing systems, so the enterprises here are
/// named to attack a spreadsheet (a formula) and a browser (a script). They reach the circular
/// through a fatal accident in the running month (the clock does not move here); another county
/// than the scenario's.
/// </summary>
public sealed partial class MonthlyCircularTests
{
    private const string DocumentCounty = "370404"; // 峄城区

    [Fact]
    public async Task The_CSV_starts_with_a_byte_order_mark_keeps_Chinese_and_escapes_a_formula()
    {
        const string Formula = "=SUM(1,2)化工有限公司";
        var month = await AccidentAt(Formula, "车间爆燃，1人死亡");
        using var response = await Download(month, "csv");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"峄城区{CircularMonthText(month)}重大事故隐患通报.csv", response.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal($"circular-{DocumentCounty}-{month}.csv", response.Content.Headers.ContentDisposition?.FileName);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);

        // The name as one RFC 4180 field: a quote in front so Excel shows it as text, the whole
        // field in double quotes for its comma. Never as a bare formula.
        Assert.True(Contains(bytes, Encoding.UTF8.GetBytes($",\"'{Formula}\",")), "the formula name escaped and quoted");
        Assert.False(Contains(bytes, Encoding.UTF8.GetBytes($",{Formula}")), "the formula name written bare");

        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 3, bytes.Length - 3);
        Assert.Contains("车间爆燃，1人死亡", text);
        Assert.StartsWith($"峄城区{CircularMonthText(month)}重大事故隐患排查整治情况通报,", text);
        Assert.Contains("\r\n", text);

        // The same document through gRPC (the HttpBody the route passes through).
        var grpc = await fixture.Regions.ExportMonthlyCircularAsync(new ExportMonthlyCircularRequest { Name = $"regions/{DocumentCounty}", Month = month, Format = "csv" });
        Assert.Equal("text/csv; charset=utf-8", grpc.ContentType);
        Assert.Equal(bytes, grpc.Data.ToByteArray());
    }

    [Fact]
    public async Task The_HTML_is_one_page_with_every_name_encoded()
    {
        const string Script = "<script>alert('x')</script>危化品有限公司";
        var month = await AccidentAt(Script, "储罐泄漏中毒，1人死亡");
        using var response = await Download(month, "html");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;危化品有限公司", html);
        Assert.Contains("储罐泄漏中毒，1人死亡", html);
        Assert.Contains("<html lang=\"zh-CN\">", html);
        Assert.Contains("@media print", html);
        Assert.DoesNotContain("src=", html);   // nothing fetched: no images, scripts or fonts from anywhere
        Assert.DoesNotContain("href=", html);
    }

    [Fact]
    public async Task The_PDF_is_printed_by_Chromium_or_refused_saying_so()
    {
        var month = await AccidentAt("枣庄示例化工有限公司", "高处坠落，1人死亡");
        using var response = await Download(month, "pdf");
        if (!File.Exists("/usr/bin/chromium"))
        {
            // Without Chromium (./test.sh installs it) the refusal is the outcome to check.
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("Chromium", await response.Content.ReadAsStringAsync());
            return;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        var pdf = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal("%PDF"u8.ToArray(), pdf[..4]);
        Assert.True(pdf.Length > 5_000, $"a PDF of {pdf.Length} bytes is too small to hold the circular");
        var path = Path.Combine(ScreenshotsFolder(), $"circular-{DocumentCounty}-{month}.pdf");
        await File.WriteAllBytesAsync(path, pdf);
        System.Console.WriteLine($"The circular as PDF: {path}");
    }

    [Fact]
    public async Task Without_Chromium_a_PDF_is_refused_pointing_to_the_HTML()
    {
        var gateway = await fixture.StartGatewayAsync(new Dictionary<string, string?> { ["HazardGrid:Circulars:ChromiumPath"] = "/nonexistent/chromium" }, http1: true);
        try
        {
            using var http = new JsonApiClient(new Uri(gateway.Urls.First()), Supervisor());
            var answer = await http.Get($"/v1/regions/{DocumentCounty}/circulars/{MonthOf(fixture.Now)}:export?format=pdf");
            Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
            Assert.Equal(9, answer.Json.GetProperty("code").GetInt32()); // FAILED_PRECONDITION
            Assert.Contains("Chromium", answer.Json.GetProperty("message").GetString());
            Assert.Contains("HTML", answer.Json.GetProperty("message").GetString());
        }
        finally
        {
            await gateway.StopAsync();
            await gateway.DisposeAsync();
        }
    }

    /// <summary>Registers an enterprise named <paramref name="name"/> in the document county and
    /// reports a fatal accident there a minute ago; returns the running month (YYYY-MM).</summary>
    private async Task<string> AccidentAt(string name, string description)
    {
        var enterprise = TestData.NewEnterprise(TestData.TownsOf(DocumentCounty, 1)[0]);
        enterprise.DisplayName = name;
        enterprise = await _api.Register(enterprise);
        await fixture.Enterprises.ReportFatalAccidentAsync(new ReportFatalAccidentRequest
        {
            Parent = $"enterprises/{enterprise.CreditCode}",
            Accident = new NewFatalAccident { OccurredTime = Timestamp.FromDateTimeOffset(fixture.Now.AddMinutes(-1)), Deaths = 1, Description = description },
            RequestId = TestData.NewRequestId(),
        });
        return MonthOf(fixture.Now.AddMinutes(-1));
    }

    /// <summary>GET …:export as a supervisor of the county, over HTTP/1.1 with a bearer token.</summary>
    private async Task<HttpResponseMessage> Download(string month, string format)
    {
        using var http = new JsonApiClient(fixture.JsonAddress, Supervisor());
        return await http.Http.GetAsync($"/v1/regions/{DocumentCounty}/circulars/{month}:export?format={format}");
    }

    private static string Supervisor() => TestTokens.Mint("supervisor", DocumentCounty, "yicheng-supervisor");

    private static string MonthOf(DateTimeOffset instant) => ChinaTime.ToChina(instant).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    private static string CircularMonthText(string month) => $"{month[..4]}年{int.Parse(month[5..], System.Globalization.CultureInfo.InvariantCulture)}月";

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    /// <summary>Where the test run leaves files for a reviewer: $HAZARDGRID_SCREENSHOTS, else
    /// artifacts/screenshots under the repository root (not committed).</summary>
    private static string ScreenshotsFolder()
    {
        var folder = Environment.GetEnvironmentVariable("HAZARDGRID_SCREENSHOTS");
        if (string.IsNullOrEmpty(folder))
        {
            var root = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(root, "HazardGrid.sln")))
            {
                root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar)) ?? throw new InvalidOperationException("HazardGrid.sln not found above the test output");
            }

            folder = Path.Combine(root, "artifacts", "screenshots");
        }

        return Directory.CreateDirectory(folder).FullName;
    }
}
