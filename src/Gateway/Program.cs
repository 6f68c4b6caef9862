// The standalone gateway: gRPC (and the same API as HTTP/JSON) in front of an Orleans client. In production several of these
// run in front of the silos; any of them serves any region.
using HazardGrid.Gateway.Hosting;

// Settings files (log levels among them) are read from beside the program, wherever it is started
// from: the repository root, where the README runs it, holds no appsettings.json (bench/README.md).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var endpoints = builder.WebHost.ConfigureHazardGridEndpoints(builder.Configuration, new EndpointOptions { GrpcPort = 5200, HttpPort = 5201 });
var cluster = ClusterSettings.Read(builder.Configuration);
var siloGatewayPort = builder.Configuration.GetValue("HazardGrid:GatewayPort", 30000);
builder.UseOrleansClient(client => client.UseHazardGridCluster(cluster, siloGatewayPort).UseConnectionRetryFilter<ClusterConnectionRetry>());

// Kestrel starts alongside the Orleans client rather than after it: while no silo is reachable the
// probes answer (live, not ready) and the client keeps connecting.
builder.Services.Configure<HostOptions>(o => o.ServicesStartConcurrently = true);
builder.Services.AddHazardGridGateway();

var app = builder.Build();
app.MapHazardGridGateway();
app.Lifetime.ApplicationStarted.Register(() =>
{
    var host = endpoints.ListenOnAnyAddress ? "0.0.0.0" : "127.0.0.1";
    Console.WriteLine($"HazardGrid gateway is running ({cluster.Mode} cluster '{cluster.ClusterId}', connected).");
    Console.WriteLine($"  gRPC (h2c):  http://{host}:{endpoints.GrpcPort}   (metadata 'authorization: Bearer <token>'; mint with HazardGrid.Silo token --role … --region …)");
    if (endpoints.HttpPort != 0)
    {
        Console.WriteLine($"  HTTP/JSON:   http://{host}:{endpoints.HttpPort}/v1/ (e.g. /v1/regions/37/status)");
        Console.WriteLine($"  Console:     http://{host}:{endpoints.HttpPort}/console/   (supervisors sign in with their account)");
        Console.WriteLine($"  Health:      http://{host}:{endpoints.HttpPort}/healthz, /readyz");
    }
});
app.Run();
