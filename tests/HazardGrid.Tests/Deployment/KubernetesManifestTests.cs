using System.Diagnostics;
using HazardGrid.Gateway.Hosting;
using HazardGrid.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Xunit;
using YamlDotNet.Serialization;

namespace HazardGrid.Tests.Deployment;

/// <summary>
/// deploy/k8s rendered by the real <c>kubectl kustomize</c> and held against what the code reads:
/// every setting the manifests pass binds to the options the processes use, probes hit the paths
/// the silo maps, ports agree with the settings, and rollouts never take a pod away first.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly Lazy<List<Dictionary<object, object>>> s_documents = new(Render);

    [Fact]
    public void The_manifests_render_every_part_the_cluster_needs()
    {
        var kinds = s_documents.Value.Select(d => $"{d["kind"]}/{Name(d)}").ToHashSet();
        Assert.Superset(
            new HashSet<string>
            {
                "Deployment/hazardgrid-silo", "Deployment/hazardgrid-gateway", "Job/hazardgrid-schema",
                "HorizontalPodAutoscaler/hazardgrid-gateway", "PodDisruptionBudget/hazardgrid-silo", "PodDisruptionBudget/hazardgrid-gateway",
                "ServiceAccount/hazardgrid-silo", "Role/hazardgrid-silo", "RoleBinding/hazardgrid-silo",
                "Service/hazardgrid-gateway", "Service/hazardgrid-silo", "Namespace/hazardgrid",
            },
            kinds);
        Assert.Contains(s_documents.Value, d => (string)d["kind"] == "Secret" && Name(d).StartsWith("hazardgrid-postgres", StringComparison.Ordinal));
    }

    [Fact]
    public void The_silos_settings_bind_to_what_the_silo_reads()
    {
        var silo = Container("hazardgrid-silo");
        var configuration = Configuration(silo);
        var cluster = ClusterSettings.Read(configuration);
        var host = configuration.GetSiloHostOptions();
        var endpoints = new EndpointOptions();
        configuration.GetSection(EndpointOptions.Section).Bind(endpoints);
        var operations = new OperationsOptions();
        configuration.GetSection(OperationsOptions.Section).Bind(operations);

        Assert.Equal(HazardGridMode.PostgreSql, cluster.Mode);
        Assert.Contains("Host=", cluster.ConnectionString);
        Assert.Equal(("hazardgrid", "hazardgrid"), (cluster.ClusterId, cluster.ServiceId));
        Assert.True(endpoints.ListenOnAnyAddress);
        Assert.False(string.IsNullOrEmpty(operations.DashboardPassword));

        var ports = Ports(silo);
        Assert.Equal(ports["silo"], host.SiloPort);
        Assert.Equal(ports["gateway"], host.GatewayPort);
        Assert.Equal(ports["grpc"], endpoints.GrpcPort);
        Assert.Equal(ports["http"], endpoints.HttpPort);

        // Kubernetes hosting and the advertised address come from the downward API.
        var env = Env(silo);
        Assert.Equal(["metadata.name", "metadata.namespace", "status.podIP"], new[] { "POD_NAME", "POD_NAMESPACE", "POD_IP" }.Select(n => env[n]));
        Assert.Equal(cluster.ClusterId, configuration["ORLEANS_CLUSTER_ID"]);
        Assert.Equal(cluster.ServiceId, configuration["ORLEANS_SERVICE_ID"]);

        // Probes hit the paths the silo maps, on a port the container declares.
        Assert.Equal(OperationsExtensions.LivenessPath, Probe(silo, "livenessProbe")["path"]);
        Assert.Equal(OperationsExtensions.ReadinessPath, Probe(silo, "readinessProbe")["path"]);
        Assert.Equal("http", Probe(silo, "readinessProbe")["port"]);
    }

    [Fact]
    public void The_gateways_settings_bind_to_what_the_gateway_reads()
    {
        var gateway = Container("hazardgrid-gateway");
        var configuration = Configuration(gateway);
        var cluster = ClusterSettings.Read(configuration);
        var endpoints = new EndpointOptions();
        configuration.GetSection(EndpointOptions.Section).Bind(endpoints);

        Assert.Equal(HazardGridMode.PostgreSql, cluster.Mode);

        // The credentials' keys come from the secret (a placeholder to replace in an overlay).
        var auth = configuration.GetSection(HazardGrid.Gateway.Security.AuthOptions.Section).Get<HazardGrid.Gateway.Security.AuthOptions>();
        Assert.Equal("key-1", Assert.Single(auth!.SigningKeys).Id);
        Assert.Equal(Configuration(Container("hazardgrid-silo"))["HazardGrid:ClusterId"], cluster.ClusterId);
        Assert.Equal(Ports(gateway)["grpc"], endpoints.GrpcPort);
        Assert.Equal(Ports(gateway)["http"], endpoints.HttpPort);
        // Probes: liveness is cheap, readiness asks the cluster (the same check as the silo's), on the HTTP/1.1 port.
        Assert.Equal(HealthExtensions.LivenessPath, Probe(gateway, "livenessProbe")["path"]);
        Assert.Equal(HealthExtensions.ReadinessPath, Probe(gateway, "readinessProbe")["path"]);
        Assert.Equal("http", Probe(gateway, "readinessProbe")["port"]);
        foreach (var container in new[] { gateway, Container("hazardgrid-silo") })
        {
            var timeout = int.Parse((string)Map(container, "readinessProbe")["timeoutSeconds"], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(TimeSpan.FromSeconds(timeout) > HealthExtensions.ClusterReadinessCheck.Timeout, "the readiness probe must wait longer than the check does");
        }

        var service = Document("Service", "hazardgrid-gateway");
        var port = (Dictionary<object, object>)((List<object>)Map(service, "spec")["ports"])[0];
        Assert.Equal("grpc", port["targetPort"]);
    }

    [Fact]
    public void Rollouts_never_take_a_pod_away_first_and_silos_get_time_to_hand_over()
    {
        foreach (var name in new[] { "hazardgrid-silo", "hazardgrid-gateway" })
        {
            var rolling = Map(Map(Map(Document("Deployment", name), "spec"), "strategy"), "rollingUpdate");
            Assert.Equal("0", rolling["maxUnavailable"].ToString());
        }

        var pod = Map(Map(Map(Document("Deployment", "hazardgrid-silo"), "spec"), "template"), "spec");
        Assert.True(int.Parse((string)pod["terminationGracePeriodSeconds"], System.Globalization.CultureInfo.InvariantCulture) > 60,
            "the grace period must exceed the silo's shutdown timeout (1 minute)");
        Assert.Equal("hazardgrid-silo", pod["serviceAccountName"]);

        var rules = (List<object>)Document("Role", "hazardgrid-silo")["rules"];
        var verbs = ((List<object>)((Dictionary<object, object>)rules[0])["verbs"]).Cast<string>();
        Assert.Superset(new HashSet<string> { "get", "list", "watch", "patch" }, verbs.ToHashSet());

        var hpa = Map(Map(Document("HorizontalPodAutoscaler", "hazardgrid-gateway"), "spec"), "scaleTargetRef");
        Assert.Equal(("Deployment", "hazardgrid-gateway"), ((string)hpa["kind"], (string)hpa["name"]));

        var job = Map(Map(Map(Document("Job", "hazardgrid-schema"), "spec"), "template"), "spec");
        var migrate = (Dictionary<object, object>)((List<object>)job["containers"])[0];
        Assert.Equal(["dotnet", "/app/silo/HazardGrid.Silo.dll", "migrate"], ((List<object>)migrate["command"]).Cast<string>());
    }

    private static List<Dictionary<object, object>> Render()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "HazardGrid.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("HazardGrid.sln not found above the test output");
        }

        var start = new ProcessStartInfo("kubectl", ["kustomize", Path.Combine(root, "deploy", "k8s")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var kubectl = Process.Start(start)!;
        var yaml = kubectl.StandardOutput.ReadToEnd();
        var error = kubectl.StandardError.ReadToEnd();
        kubectl.WaitForExit();
        Assert.True(kubectl.ExitCode == 0, $"kubectl kustomize failed: {error}");

        var deserializer = new DeserializerBuilder().Build();
        return [.. yaml.Split("\n---\n").Where(d => !string.IsNullOrWhiteSpace(d)).Select(d => deserializer.Deserialize<Dictionary<object, object>>(d))];
    }

    private static string Name(Dictionary<object, object> document) => (string)Map(document, "metadata")["name"];

    private static Dictionary<object, object> Map(Dictionary<object, object> node, string key) => (Dictionary<object, object>)node[key];

    private static Dictionary<object, object> Document(string kind, string name) =>
        s_documents.Value.Single(d => (string)d["kind"] == kind && Name(d) == name);

    private static Dictionary<object, object> Container(string deployment)
    {
        var pod = Map(Map(Map(Document("Deployment", deployment), "spec"), "template"), "spec");
        return (Dictionary<object, object>)((List<object>)pod["containers"])[0];
    }

    private static Dictionary<string, int> Ports(Dictionary<object, object> container) =>
        ((List<object>)container["ports"]).Cast<Dictionary<object, object>>()
            .ToDictionary(p => (string)p["name"], p => int.Parse((string)p["containerPort"], System.Globalization.CultureInfo.InvariantCulture));

    private static Dictionary<object, object> Probe(Dictionary<object, object> container, string probe) => Map(Map(container, probe), "httpGet");

    /// <summary>Plain values and downward-API field paths of a container's env.</summary>
    private static Dictionary<string, string> Env(Dictionary<object, object> container) =>
        ((List<object>)container["env"]).Cast<Dictionary<object, object>>().ToDictionary(
            e => (string)e["name"],
            e => e.TryGetValue("value", out var v) ? (string)v : (string)Map(Map(e, "valueFrom"), "fieldRef")["fieldPath"]);

    /// <summary>What the process would see: its env, config map and secret, as .NET configuration does.</summary>
    private static IConfiguration Configuration(Dictionary<object, object> container)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var source in ((List<object>)container["envFrom"]).Cast<Dictionary<object, object>>())
        {
            if (source.TryGetValue("configMapRef", out var configMap))
            {
                var name = (string)((Dictionary<object, object>)configMap)["name"];
                foreach (var (k, v) in Map(s_documents.Value.Single(d => (string)d["kind"] == "ConfigMap" && Name(d) == name), "data"))
                {
                    values[(string)k] = (string)v;
                }
            }

            if (source.TryGetValue("secretRef", out var secret))
            {
                var name = (string)((Dictionary<object, object>)secret)["name"];
                foreach (var (k, v) in Map(s_documents.Value.Single(d => (string)d["kind"] == "Secret" && Name(d) == name), "data"))
                {
                    values[(string)k] = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)v));
                }
            }
        }

        foreach (var (k, v) in Env(container))
        {
            values[k] = v;
        }

        // Environment variables use "__" where configuration keys use ":".
        return new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(kv => KeyValuePair.Create(kv.Key.Replace("__", ":", StringComparison.Ordinal), kv.Value)))
            .Build();
    }
}
