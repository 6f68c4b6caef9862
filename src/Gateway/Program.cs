// The standalone gateway: gRPC in front of an Orleans client. In production several of these
// run in front of the silos; any of them serves any region.
using HazardGrid.Gateway.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.ConfigureHazardGridEndpoints(builder.Configuration, new EndpointOptions { GrpcPort = 5200, HttpPort = 5201 });
builder.UseOrleansClient(client =>
{
    var gatewayPort = builder.Configuration.GetValue("HazardGrid:GatewayPort", 30000);
    client.UseLocalhostClustering(gatewayPort);
});
builder.Services.AddHazardGridGateway();

var app = builder.Build();
app.MapHazardGridGateway();
app.MapGet("/healthz", () => Results.Ok("ok"));
app.Run();
