using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using HazardGrid.Api.V1;
using HazardGrid.Silo.Hosting;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Embedded;

/// <summary>The one-command run makes its own signing key, and its own command line mints tokens with it.</summary>
public sealed class TokenCommandTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "hazardgrid-token-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task The_embedded_service_keeps_its_own_key_and_accepts_the_tokens_its_command_mints()
    {
        await using var silo = await SiloProcess.StartAsync(_data);
        var keyFile = Path.Combine(_data, Credentials.KeyFileName);
        Assert.True(File.Exists(keyFile));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }

        Assert.Contains("token --role", silo.Output, StringComparison.Ordinal); // the banner says how to mint

        var token = await Token("--role", "supervisor", "--region", "3704", "--subject", "zaozhuang-supervisor", $"--HazardGrid:DataDirectory={_data}");
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{silo.GrpcPort}");
        var regions = new RegionService.RegionServiceClient(channel.WithToken(token));
        Assert.Equal("regions/3704", (await regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/3704" })).Name);
        var ex = await Assert.ThrowsAsync<RpcException>(() => regions.GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/3701" }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);

        // The key survives a restart, and with it the tokens.
        var key = await File.ReadAllTextAsync(keyFile);
        silo.Kill();
        await using var again = await SiloProcess.StartAsync(_data);
        Assert.Equal(key, await File.ReadAllTextAsync(keyFile));
        using var channel2 = GrpcChannel.ForAddress($"http://127.0.0.1:{again.GrpcPort}");
        Assert.Equal("regions/3704", (await new RegionService.RegionServiceClient(channel2.WithToken(token)).GetRegionStatusAsync(new GetRegionStatusRequest { Name = "regions/3704" })).Name);
    }

    [Fact]
    public async Task The_command_refuses_an_unknown_role_or_region()
    {
        var start = Command("--role", "admin", "--region", "37", $"--HazardGrid:DataDirectory={_data}");
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("usage: token", await process.StandardError.ReadToEndAsync(), StringComparison.Ordinal);
    }

    private static async Task<string> Token(params string[] arguments)
    {
        using var process = Process.Start(Command(arguments))!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync());
        return output.Trim();
    }

    private static ProcessStartInfo Command(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "HazardGrid.Silo.dll"));
        start.ArgumentList.Add("token");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}
