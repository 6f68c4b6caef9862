using System.Diagnostics;
using HazardGrid.Tests.Infrastructure;
using Xunit;

namespace HazardGrid.Tests.Clients;

/// <summary>
/// A client that is not .NET: tests/clients/node/client.js (Node's @grpc/grpc-js and
/// @grpc/proto-loader, fetch for HTTP/JSON) drives the real service process knowing the API only
/// from the published .proto files. It prints one line per check and exits non-zero on any mismatch.
/// </summary>
public sealed class NodeClientTests : IDisposable
{
    private static readonly TimeSpan NpmBound = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ClientBound = TimeSpan.FromMinutes(2);

    private readonly string _data = Path.Combine(Path.GetTempPath(), "hazardgrid-node-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task A_node_client_built_from_the_published_protos_registers_reports_retries_and_reads_over_grpc_and_json()
    {
        var root = FindRoot();
        var client = Path.Combine(root, "tests", "clients", "node");
        // test.sh runs `npm ci` there; a bare `dotnet test` on a fresh clone does it here.
        if (!Directory.Exists(Path.Combine(client, "node_modules")))
        {
            var (npmExit, npmOutput) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], client, [], NpmBound);
            Assert.True(npmExit == 0, $"npm ci failed in {client} (exit {npmExit}):\n{npmOutput}");
        }

        var httpPort = SiloProcess.FreePort();
        await using var service = await SiloProcess.StartAsync(_data, $"--HazardGrid:Endpoints:HttpPort={httpPort}");
        var town = TestData.TownsOf("370406", 1)[0];

        // The client presents a county system's credential, as a county IT department's would.
        var (exit, output) = await RunAsync("node", ["client.js"], client,
        [
            ("HAZARDGRID_GRPC", $"127.0.0.1:{service.GrpcPort}"),
            ("HAZARDGRID_HTTP", $"http://127.0.0.1:{httpPort}"),
            ("HAZARDGRID_TOWN", town),
            ("HAZARDGRID_PROTOS", Path.Combine(root, "src", "Gateway", "Protos")),
            ("HAZARDGRID_TOKEN", TestTokens.Mint("system", "370406", "node-county-system")),
        ], ClientBound);

        Assert.True(exit == 0, $"node client.js exited {exit}:\n{output}\n--- service output ---\n{service.Output}");
        Assert.Contains("all checks passed", output);
    }

    /// <summary>Runs a program to its end within <paramref name="bound"/>, with its output (stdout and stderr, in order).</summary>
    private static async Task<(int Exit, string Output)> RunAsync(
        string program, IEnumerable<string> arguments, string directory, IEnumerable<(string Name, string Value)> environment, TimeSpan bound)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var output = new List<string>();
        void Collect(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.Add(line);
                }
            }
        }

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Assert.Fail($"'{program}' could not be started ({ex.Message}): test.sh installs Node.js and npm when they are missing.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            lock (output)
            {
                Assert.Fail($"'{program} {string.Join(' ', start.ArgumentList)}' did not finish within {bound.TotalSeconds} s:\n{string.Join('\n', output)}");
            }
        }

        process.WaitForExit(); // drains the redirected output
        lock (output)
        {
            return (process.ExitCode, string.Join('\n', output));
        }
    }

    private static string FindRoot()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "HazardGrid.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("HazardGrid.sln not found above the test output");
        }

        return root;
    }
}
