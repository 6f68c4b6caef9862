using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace HazardGrid.Gateway.Hosting;

/// <summary>
/// Where the process listens. gRPC runs over cleartext HTTP/2 on its own port (h2c needs an
/// HTTP/2-only endpoint); the API as HTTP/JSON (gRPC JSON transcoding), the dashboard and the
/// health probes use HTTP/1.1 on another, the one curl and browsers speak without prior knowledge.
/// Bound to loopback unless <see cref="ListenOnAnyAddress"/> is set (containers).
/// </summary>
public sealed class EndpointOptions
{
    public const string Section = "HazardGrid:Endpoints";

    public int GrpcPort { get; set; } = 5100;

    /// <summary>0 turns the HTTP/1.1 endpoint off, and with it HTTP/JSON for clients without h2c.</summary>
    public int HttpPort { get; set; } = 5101;

    public bool ListenOnAnyAddress { get; set; }
}

public static class EndpointExtensions
{
    public static EndpointOptions ConfigureHazardGridEndpoints(this IWebHostBuilder web, IConfiguration configuration, EndpointOptions? defaults = null)
    {
        var options = defaults ?? new EndpointOptions();
        configuration.GetSection(EndpointOptions.Section).Bind(options);
        web.ConfigureKestrel(kestrel =>
        {
            var address = options.ListenOnAnyAddress ? IPAddress.Any : IPAddress.Loopback;
            kestrel.Listen(address, options.GrpcPort, l => l.Protocols = HttpProtocols.Http2);
            if (options.HttpPort != 0)
            {
                kestrel.Listen(address, options.HttpPort, l => l.Protocols = HttpProtocols.Http1);
            }
        });
        return options;
    }
}
