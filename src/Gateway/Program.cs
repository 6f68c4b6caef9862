// The standalone gateway: gRPC in front of an Orleans client. In production several of these
// run in front of the silos; any of them serves any region.
using HazardGrid.Gateway.Hosting;

// Settings files (log levels among them) are read from beside the program, wherever it is started
// from: the repository root, where the README runs it, holds no appsettings.json (bench/README.md).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var endpoints = builder.WebHost.ConfigureHazardGridEndpoints(builder.Configuration, new EndpointOptions { GrpcPort = 5200, HttpPort = 5201 });
var cluster = ClusterSettings.Read(builder.Configuration);
var siloGatewayPort = builder.Configuration.GetValue("HazardGrid:GatewayPort", 30000);
builder.UseOrleansClient(client => client.UseHazardGridCluster(cluster, siloGatewayPort));
builder.Services.AddHazardGridGateway();

var app = builder.Build();
app.MapHazardGridGateway();
app.MapGet("/healthz", () => Results.Ok("ok"));
app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"HazardGrid gateway is running: gRPC (h2c) on port {endpoints.GrpcPort}, {cluster.Mode} cluster '{cluster.ClusterId}'."));
app.Run();
