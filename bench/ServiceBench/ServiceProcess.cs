using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace HazardGrid.Bench;

/// <summary>A silo (or a standalone gateway) started as its own process on free loopback ports,
/// configured with the benchmarks' signing key so that <see cref="Token"/>'s credentials are accepted.</summary>
public sealed class ServiceProcess : IDisposable
{
    /// <summary>The benchmarks' signing key: fresh for each run, passed to every process started.</summary>
    public static readonly HazardGrid.Gateway.Security.SigningKeyOptions Key = new() { Id = "bench", Key = HazardGrid.Gateway.Security.TokenIssuer.NewSecret() };

    /// <summary>A credential the started processes accept (default: a province-wide system).</summary>
    public static string Token(string role = "system", string region = "37", string subject = "bench") =>
        HazardGrid.Gateway.Security.TokenIssuer.Mint(Key, "hazardgrid", "hazardgrid-api", subject, role, region, TimeSpan.FromDays(1));

    private readonly Process _process;
    private readonly Stopwatch _clock;
    private readonly System.Collections.Concurrent.ConcurrentQueue<(TimeSpan At, string Line)> _output = new();
    private bool _disposed;

    public ServiceProcess(string assembly, string dataDirectory, params string[] settings)
        : this(assembly, dataDirectory, http: false, settings)
    {
    }

    /// <param name="http">Whether to open the HTTP port (health, <c>/metrics</c>) on <see cref="HttpPort"/>.</param>
    public ServiceProcess(string assembly, string dataDirectory, bool http, params string[] settings)
        : this(assembly, dataDirectory, http, new Dictionary<string, string>(), settings)
    {
    }

    /// <param name="environment">Environment variables of the process (the benchmark switch of <c>auth</c> in ServiceBench).</param>
    public ServiceProcess(string assembly, string dataDirectory, bool http, IReadOnlyDictionary<string, string> environment, params string[] settings)
    {
        GrpcPort = FreePort();
        HttpPort = http ? FreePort() : 0;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                assembly,
                $"--HazardGrid:DataDirectory={dataDirectory}",
                $"--HazardGrid:SiloPort={FreePort()}",
                $"--HazardGrid:GatewayPort={FreePort()}",
                $"--HazardGrid:Endpoints:GrpcPort={GrpcPort}",
                $"--HazardGrid:Endpoints:HttpPort={HttpPort}",
                "--HazardGrid:Dashboard=false",
                "--Logging:LogLevel:Default=Warning",
                // One credential stands for the many systems a benchmark plays: the per-credential
                // rate limit (5,000/s) would measure the limiter, not the service.
                "--HazardGrid:Limits:RequestsPerSecond=100000000",
                "--HazardGrid:Limits:Burst=100000000",
                $"--HazardGrid:Auth:SigningKeys:0:Id={Key.Id}",
                $"--HazardGrid:Auth:SigningKeys:0:Key={Key.Key}",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        // Only what the caller asks for: a switch left in the shell must not change a benchmark silently.
        start.Environment.Remove(HazardGrid.Gateway.Security.BenchmarkUnauthenticated.EnvironmentVariable);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        _clock = Stopwatch.StartNew();
        _process = Launch(start);
    }

    /// <summary>Any other gRPC service (ServiceBench's conventional baseline): <paramref name="arguments"/>
    /// is given the free loopback port the service must listen on for gRPC.</summary>
    public ServiceProcess(string assembly, Func<int, IEnumerable<string>> arguments)
    {
        GrpcPort = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments(GrpcPort))
        {
            start.ArgumentList.Add(argument);
        }

        _clock = Stopwatch.StartNew();
        _process = Launch(start);
    }

    public int GrpcPort { get; }

    public int HttpPort { get; }

    public int Id => _process.Id;

    /// <summary>Time since the process was started.</summary>
    public TimeSpan SinceStart => _clock.Elapsed;

    /// <summary>The CPU time the service process has used so far (all its threads).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public long WorkingSet
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    public long PeakWorkingSet
    {
        get
        {
            _process.Refresh();
            return _process.PeakWorkingSet64;
        }
    }

    /// <summary>The first lines the process wrote to standard output, each with the time since it was started.</summary>
    public IReadOnlyCollection<(TimeSpan At, string Line)> Output => _output;

    /// <summary>SIGTERM, as an orchestrator stops a service, and waits for the process to end (SIGKILL after <paramref name="limit"/>); returns how long it took.</summary>
    public TimeSpan Stop(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
            }

            if (!_process.WaitForExit(limit))
            {
                Kill();
            }
        }

        return clock.Elapsed;
    }

    /// <summary>SIGKILL, like a crash.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private Process Launch(ProcessStartInfo start)
    {
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the service");

        // HAZARDGRID_SERVICE_OUTPUT=<directory>: every line the process writes, each with the time
        // since it was started, in <directory>/<pid>.log (to read a start-up's time line afterwards).
        var log = Environment.GetEnvironmentVariable("HAZARDGRID_SERVICE_OUTPUT") is { Length: > 0 } directory
            ? TextWriter.Synchronized(new StreamWriter(Path.Combine(Directory.CreateDirectory(directory).FullName, $"{process.Id}.log")) { AutoFlush = true })
            : null;
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { } data)
            {
                log?.WriteLine($"{_clock.Elapsed.TotalSeconds,8:F3} {data}");
            }

            // The first lines, with when they came: the cold-start phase reads when the host said it was running.
            if (line.Data is { } kept && _output.Count < 200)
            {
                _output.Enqueue((_clock.Elapsed, kept));
            }
        };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { } data)
            {
                log?.WriteLine($"{_clock.Elapsed.TotalSeconds,8:F3} {data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
