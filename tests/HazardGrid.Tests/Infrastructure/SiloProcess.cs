using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace HazardGrid.Tests.Infrastructure;

/// <summary>
/// The one-command service as a real child process (the built HazardGrid.Silo), on free loopback
/// ports and a data directory of the test's choosing, so a test can kill it with SIGKILL and start
/// it again on the same data.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];

    private SiloProcess(string dataDirectory, int grpcPort)
    {
        GrpcPort = grpcPort;
        var silo = Path.Combine(AppContext.BaseDirectory, "HazardGrid.Silo.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                silo,
                $"--HazardGrid:DataDirectory={dataDirectory}",
                $"--HazardGrid:SiloPort={FreePort()}",
                $"--HazardGrid:GatewayPort={FreePort()}",
                $"--HazardGrid:Endpoints:GrpcPort={grpcPort}",
                "--HazardGrid:Endpoints:HttpPort=0",
                "--HazardGrid:Dashboard=false",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Collect(e.Data);
        _process.ErrorDataReceived += (_, e) => Collect(e.Data);
    }

    public int GrpcPort { get; }

    public string Output { get { lock (_output) { return string.Join('\n', _output); } } }

    public static async Task<SiloProcess> StartAsync(string dataDirectory, int? grpcPort = null)
    {
        var silo = new SiloProcess(dataDirectory, grpcPort ?? FreePort());
        silo._process.Start();
        silo._process.BeginOutputReadLine();
        silo._process.BeginErrorReadLine();
        var exited = silo._process.WaitForExitAsync();
        var first = await Task.WhenAny(silo._ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(90)));
        if (first != silo._ready.Task)
        {
            silo.Kill();
            throw new InvalidOperationException($"The silo did not start:\n{silo.Output}");
        }

        return silo;
    }

    public (GrpcChannel Channel, CallInvoker Invoker) Connect(string systemId)
    {
        var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{GrpcPort}");
        return (channel, channel.Intercept(headers =>
        {
            headers.Add("x-system-id", systemId);
            return headers;
        }));
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

        if (line.StartsWith("HazardGrid is running", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
