// HazardGrid in one process: an Orleans silo, the gRPC gateway and the Orleans dashboard, with
// grain state in an embedded SQLite file. `dotnet run --project src/Silo` is all it takes.
using HazardGrid.Gateway.Hosting;
using HazardGrid.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
var endpoints = builder.WebHost.ConfigureHazardGridEndpoints(builder.Configuration);
var silo = builder.Configuration.GetSiloHostOptions();
builder.UseOrleans(orleans => orleans.UseHazardGridEmbedded(silo).AddHazardGrid(builder.Configuration));
builder.Services.AddHazardGridGateway();
builder.Services.AddHazardGridOperations(builder.Configuration);

var app = builder.Build();
app.MapHazardGridOperations(silo.Dashboard);
app.MapHazardGridGateway();
app.Lifetime.ApplicationStarted.Register(() =>
{
    var host = endpoints.ListenOnAnyAddress ? "0.0.0.0" : "127.0.0.1";
    Console.WriteLine($"HazardGrid is running (embedded mode, data in {Path.GetFullPath(silo.DataDirectory)}).");
    Console.WriteLine($"  gRPC (h2c):  http://{host}:{endpoints.GrpcPort}");
    if (endpoints.HttpPort != 0)
    {
        Console.WriteLine($"  Dashboard:   http://{host}:{endpoints.HttpPort}/dashboard/");
        Console.WriteLine($"  Health:      http://{host}:{endpoints.HttpPort}/healthz, /readyz");
        Console.WriteLine($"  Metrics:     http://{host}:{endpoints.HttpPort}/metrics");
    }
});
app.Run();
