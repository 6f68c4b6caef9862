// A HazardGrid silo. Embedded mode (the default) is the whole service in one process: an
// Orleans silo, the gRPC gateway and the Orleans dashboard, with grain state in an SQLite file —
// `dotnet run --project src/Silo` is all it takes. PostgreSQL mode (HazardGrid:Mode=PostgreSql)
// is one silo of a cluster; `dotnet run --project src/Silo -- migrate` applies the schema alone, and
// `dotnet run --project src/Silo -- token --role system --region 3704` mints a credential, and
// `dotnet run --project src/Silo -- account add|list|disable|enable|reset-password …` manages people's accounts.
using HazardGrid.Gateway.Hosting;
using HazardGrid.Gateway.Security;
using HazardGrid.Silo.Hosting;
using HazardGrid.Silo.Storage;
using Orleans.Dashboard;

// Settings files (log levels among them) are read from beside the program, wherever it is started
// from: the repository root, where the README runs it, holds no appsettings.json (bench/README.md).
// A command's value-less flags are kept from the configuration's command line, which would take the
// argument after one (a setting such as --HazardGrid:DataDirectory=…) as the flag's value.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = [.. args.Where(a => !AccountCommand.IsFlag(a))],
    ContentRootPath = AppContext.BaseDirectory,
});
var cluster = ClusterSettings.Read(builder.Configuration);
if (args.FirstOrDefault() == "migrate")
{
    var applied = await PostgreSqlSchema.MigrateAsync(cluster.ConnectionString
        ?? throw new InvalidOperationException("migrate needs ConnectionStrings:HazardGrid."));
    Console.WriteLine(applied.Count == 0 ? "Schema up to date." : $"Applied migrations {string.Join(", ", applied)}.");
    return;
}

var silo = builder.Configuration.GetSiloHostOptions();
builder.Configuration.AddEmbeddedSigningKey(cluster, silo);
if (args.FirstOrDefault() == "token")
{
    Environment.ExitCode = Credentials.RunTokenCommand(args, builder.Configuration);
    return;
}

if (args.FirstOrDefault() == "account")
{
    Environment.ExitCode = await AccountCommand.RunAsync(args, builder.Configuration);
    return;
}

builder.Configuration.AddEmbeddedSessionKeys(cluster, silo);

// Off only for the benchmark of what authentication costs, and only in embedded mode (see the class).
var unauthenticated = BenchmarkUnauthenticated.IsOn(builder.Configuration, cluster.Mode);
var endpoints = builder.WebHost.ConfigureHazardGridEndpoints(builder.Configuration);
if (cluster.Mode == HazardGridMode.PostgreSql && silo.Dashboard && string.IsNullOrEmpty(builder.Configuration["HazardGrid:Operations:DashboardPassword"]))
{
    // A production cluster's dashboard is never open: refuse to start rather than expose it.
    throw new InvalidOperationException(
        "In PostgreSql mode the dashboard needs a password: set HazardGrid:Operations:DashboardPassword (from a secret), or HazardGrid:Dashboard=false.");
}

builder.UseOrleans(orleans =>
{
    _ = cluster.Mode == HazardGridMode.PostgreSql
        ? orleans.UseHazardGridPostgreSql(cluster, silo)
        : orleans.UseHazardGridEmbedded(cluster, silo);
    orleans.AddHazardGrid(builder.Configuration);
    orleans.AddGrainCallCounting(builder.Configuration); // off unless HazardGrid:Diagnostics:CountGrainCalls (bench/ScalingBench)
    if (silo.Dashboard)
    {
        orleans.AddDashboard();
    }
});
builder.Services.AddHazardGridGateway();
if (unauthenticated)
{
    builder.Services.AddBenchmarkUnauthenticated();
}

builder.Services.AddHazardGridOperations(builder.Configuration);
if (builder.Configuration.GetValue(IdleMemoryTrimmer.EnabledSetting, true))
{
    builder.Services.AddHostedService<IdleMemoryTrimmer>();
}

var app = builder.Build();
app.MapHazardGridOperations(silo.Dashboard);
app.MapHazardGridGateway();
app.Lifetime.ApplicationStarted.Register(() =>
{
    var host = endpoints.ListenOnAnyAddress ? "0.0.0.0" : "127.0.0.1";
    if (unauthenticated)
    {
        Console.WriteLine(BenchmarkUnauthenticated.Warning); // first, before anyone reads on
    }

    Console.WriteLine(cluster.Mode == HazardGridMode.PostgreSql
        ? $"HazardGrid is running (PostgreSQL mode, cluster '{cluster.ClusterId}', silo port {silo.SiloPort}, gateway port {silo.GatewayPort})."
        : $"HazardGrid is running (embedded mode, data in {Path.GetFullPath(silo.DataDirectory)}).");
    Console.WriteLine($"  gRPC (h2c):  http://{host}:{endpoints.GrpcPort}   (metadata 'authorization: Bearer <token>')");
    Console.WriteLine($"  Tokens:      dotnet run --project src/Silo -- {Credentials.Usage}");
    Console.WriteLine("  Accounts:    dotnet run --project src/Silo -- account add|list|disable|enable|reset-password (see README)");
    if (endpoints.HttpPort != 0)
    {
        Console.WriteLine($"  HTTP/JSON:   http://{host}:{endpoints.HttpPort}/v1/ (e.g. /v1/regions/37/status)");
        Console.WriteLine($"  Console:     http://{host}:{endpoints.HttpPort}/console/   (supervisors sign in with their account; see README)");
        Console.WriteLine($"  Dashboard:   http://{host}:{endpoints.HttpPort}/dashboard/   (sign in at /login with an operator token)");
        Console.WriteLine($"  Health:      http://{host}:{endpoints.HttpPort}/healthz, /readyz");
        Console.WriteLine($"  Metrics:     http://{host}:{endpoints.HttpPort}/metrics");
        Console.WriteLine($"  Public:      http://{host}:{endpoints.HttpPort}/public/v1/regions/37/hazards.json, .atom   (no credential: the disclosure feed)");
    }
});
app.Run();
