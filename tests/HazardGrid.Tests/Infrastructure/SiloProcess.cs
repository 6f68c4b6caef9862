using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace HazardGrid.Tests.Infrastructure;

/// <summary>
/// The one-command service (the built HazardGrid.Silo), or a standalone gateway, as a real child process, on free loopback
/// ports and a data directory of the test's choosing, so a test can kill it with SIGKILL and start
/// it again on the same data.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];

    private readonly string _readyLine;

    private SiloProcess(string assembly, string readyLine, int grpcPort, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        GrpcPort = grpcPort;
        _readyLine = readyLine;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly));
        start.ArgumentList.Add($"--HazardGrid:Endpoints:GrpcPort={grpcPort}");
        start.ArgumentList.Add("--HazardGrid:Endpoints:HttpPort=0");
        foreach (var key in TestTokens.Arguments)
        {
            start.ArgumentList.Add(key); // the test keys, so Connect's tokens are accepted
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument); // later settings win, so callers can override the above
        }

        // A benchmark switch left in the shell that runs the tests must not turn their credentials off.
        start.Environment.Remove(HazardGrid.Gateway.Security.BenchmarkUnauthenticated.EnvironmentVariable);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Collect(e.Data);
        _process.ErrorDataReceived += (_, e) => Collect(e.Data);
    }

    public int GrpcPort { get; }

    public string Output { get { lock (_output) { return string.Join('\n', _output); } } }

    /// <summary>The silo port its co-hosted Orleans gateway listens on, for a standalone gateway to join.</summary>
    public int OrleansGatewayPort { get; private init; }

    /// <summary>Starts the one-command service (silo + co-hosted gateway) on a data directory.</summary>
    public static Task<SiloProcess> StartAsync(string dataDirectory, params string[] settings) =>
        StartAsync(dataDirectory, new Dictionary<string, string>(), settings);

    /// <summary>Starts the one-command service with these environment variables set.</summary>
    public static Task<SiloProcess> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string> environment, params string[] settings)
    {
        var gatewayPort = FreePort();
        return StartAsync(new SiloProcess("HazardGrid.Silo.dll", "HazardGrid is running", FreePort(),
            [$"--HazardGrid:DataDirectory={dataDirectory}", $"--HazardGrid:SiloPort={FreePort()}", $"--HazardGrid:GatewayPort={gatewayPort}", "--HazardGrid:Dashboard=false", .. settings], environment)
        {
            OrleansGatewayPort = gatewayPort,
        });
    }

    /// <summary>Starts a standalone gateway process whose Orleans client joins the silo at <paramref name="orleansGatewayPort"/>.</summary>
    public static Task<SiloProcess> StartGatewayAsync(int orleansGatewayPort, params string[] settings) =>
        StartAsync(new SiloProcess("HazardGrid.Gateway.dll", "HazardGrid gateway is running", FreePort(), [$"--HazardGrid:GatewayPort={orleansGatewayPort}", .. settings]));

    private static async Task<SiloProcess> StartAsync(SiloProcess silo)
    {
        silo._process.Start();
        silo._process.BeginOutputReadLine();
        silo._process.BeginErrorReadLine();
        var exited = silo._process.WaitForExitAsync();
        var first = await Task.WhenAny(silo._ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(90)));
        if (first != silo._ready.Task)
        {
            silo.Kill();
            await Task.Delay(200); // let the last lines of output arrive
            throw new InvalidOperationException($"The silo did not start:\n{silo.Output}");
        }

        return silo;
    }

    /// <summary>A channel and an invoker carrying a province-wide system token whose subject is <paramref name="systemId"/>.</summary>
    public (GrpcChannel Channel, CallInvoker Invoker) Connect(string systemId)
    {
        var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{GrpcPort}");
        return (channel, channel.WithToken(TestTokens.Mint("system", TestTokens.Province, systemId)));
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, exactly like a crash.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        await Task.CompletedTask;
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        if (line.StartsWith(_readyLine, StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
