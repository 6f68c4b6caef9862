// The conventional design of HazardGrid's write path (issue 12's baseline): one ASP.NET Core gRPC
// service from the published hazardgrid.proto, one PostgreSQL transaction per report (enterprise,
// request id, open finding, insert, then the counter rows of town, county, city and province).
// Implements RegisterEnterprise, BatchRegisterEnterprises, ReportHazard and GetRegionStatus; every
// other RPC answers UNIMPLEMENTED. Credentials are ignored: the authorization header is not read.
//   dotnet ConventionalService.dll --Port=5080 --ConnectionStrings:Conventional="Host=…;Database=…"
using HazardGrid.Conventional;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Npgsql;

var builder = WebApplication.CreateBuilder(args);
var connectionString = builder.Configuration.GetConnectionString("Conventional")
    ?? throw new InvalidOperationException("Set ConnectionStrings:Conventional.");
builder.WebHost.ConfigureKestrel(kestrel =>
    kestrel.ListenLocalhost(builder.Configuration.GetValue("Port", 5080), listen => listen.Protocols = HttpProtocols.Http2));
builder.Services.AddGrpc();
builder.Services.AddSingleton(NpgsqlDataSource.Create(connectionString));
builder.Services.AddSingleton(HazardGrid.Regions.RegionCatalog.Shandong);

var app = builder.Build();
await Store.CreateTablesAsync(app.Services.GetRequiredService<NpgsqlDataSource>());
app.MapGrpcService<EnterpriseApi>();
app.MapGrpcService<HazardApi>();
app.MapGrpcService<RegionApi>();
await app.RunAsync();
