using System.Diagnostics;
using System.Net;
using System.Text;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Accounts;

/// <summary>The operator's command line against the running one-command service: an account made
/// with it signs in from a browser, is disabled with it, and its password is nowhere on disk.</summary>
public sealed class AccountCommandTests : IDisposable
{
    private const string Password = "Zaozhuang-明文-2026";
    private readonly string _data = Path.Combine(Path.GetTempPath(), "hazardgrid-accounts-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task An_account_added_with_the_command_signs_in_reads_its_county_and_is_disabled_with_the_command()
    {
        var httpPort = SiloProcess.FreePort();
        await using var silo = await SiloProcess.StartAsync(_data, $"--HazardGrid:Endpoints:HttpPort={httpPort}");
        var address = new Uri($"http://127.0.0.1:{httpPort}");

        var added = await Account(silo, Password + "\n", "add", "--user", "Zhang.Wei", "--name", "张伟", "--role", "supervisor", "--region", "370406", "--password-stdin");
        Assert.True(added.Code == 0, added.Error);
        Assert.Contains("zhang.wei\t张伟\tsupervisor\t370406\tenabled", added.Output, StringComparison.Ordinal);
        var noPassword = await Account(silo, null, "add", "--user", "li.na", "--role", "supervisor", "--region", "370406");
        Assert.Equal(2, noPassword.Code); // stdin is not a terminal and --password-stdin was not given: nothing is made

        using (var browser = new ConsoleBrowser(address))
        {
            Assert.Equal(HttpStatusCode.OK, (await browser.SignIn("zhang.wei", Password)).Status);
            Assert.Equal(HttpStatusCode.OK, (await browser.Get("/v1/regions/370406/status")).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await browser.Get("/v1/regions/370402/status")).Status);
        }

        var listed = await Account(silo, null, "list");
        Assert.Contains("zhang.wei", listed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("li.na", listed.Output, StringComparison.Ordinal);
        var disabled = await Account(silo, null, "disable", "--user", "zhang.wei");
        Assert.True(disabled.Code == 0, disabled.Error);
        Assert.Contains("disabled", disabled.Output, StringComparison.Ordinal);
        using (var browser = new ConsoleBrowser(address))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await browser.SignIn("zhang.wei", Password)).Status);
        }

        // The stored state holds a hash: no file of the data directory holds the password, in any encoding.
        silo.Kill();
        foreach (var file in Directory.EnumerateFiles(_data, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            foreach (var encoded in new[] { Encoding.UTF8.GetBytes(Password), Encoding.Unicode.GetBytes(Password) })
            {
                Assert.True(bytes.AsSpan().IndexOf(encoded) < 0, $"{file} holds the password");
            }
        }

        Assert.Contains(Directory.EnumerateFiles(_data, "*", SearchOption.AllDirectories),
            f => File.ReadAllBytes(f).AsSpan().IndexOf("zhang.wei"u8) >= 0); // the account itself was stored
    }

    private async Task<(int Code, string Output, string Error)> Account(SiloProcess silo, string? stdin, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory, StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "HazardGrid.Silo.dll"));
        start.ArgumentList.Add("account");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The same settings as the service: its data directory (and so its key) and its gRPC port.
        start.ArgumentList.Add($"--HazardGrid:DataDirectory={_data}");
        start.ArgumentList.Add($"--HazardGrid:Endpoints:GrpcPort={silo.GrpcPort}");
        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ProcessUnderTestBound);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    private static readonly TimeSpan ProcessUnderTestBound = Embedded.ProcessUnderTest.Bound;
}
