using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using HazardGrid.Tests.Embedded;
using HazardGrid.Tests.Infrastructure;
using Xunit;
using YamlDotNet.Serialization;

namespace HazardGrid.Tests.Deployment;

/// <summary>
/// The Dockerfile without Docker: its build stage's <c>dotnet</c> commands run here (once for the
/// class, into a temporary folder standing for the image's <c>/out</c>), and the image's command and
/// the manifests' commands must name files of that output; both entry points then start from it.
/// </summary>
public sealed class ContainerImageTests(ContainerImageTests.Published image) : IClassFixture<ContainerImageTests.Published>
{
    [Fact]
    public void The_images_command_and_the_manifests_commands_name_published_entry_points()
    {
        var commands = new List<(string Where, IReadOnlyList<string> Command)> { ("Dockerfile CMD", image.Dockerfile.Command) };
        foreach (var (name, container) in ManifestContainers())
        {
            commands.Add(($"deploy/k8s {name}", ((List<object>)container["command"]).Cast<string>().ToList()));
        }

        Assert.Equal(4, commands.Count); // the image, the silos, the gateways, the schema job
        foreach (var (where, command) in commands)
        {
            Assert.True(command.Count >= 2 && command[0] == "dotnet", $"{where} runs dotnet: {string.Join(' ', command)}");
            var file = image.OnDisk(command[1]);
            Assert.True(File.Exists(file), $"{where} runs {command[1]}, which the publish output does not contain ({file})");
        }

        Assert.EndsWith("HazardGrid.Silo.dll", image.Dockerfile.Command[1], StringComparison.Ordinal);
        Assert.Contains(commands, c => c.Command[1].EndsWith("HazardGrid.Gateway.dll", StringComparison.Ordinal));
    }

    [Fact]
    public void The_image_runs_as_the_non_root_user_the_manifests_expect()
    {
        Assert.Equal("1654", image.Dockerfile.User); // `app` in the official .NET images
        foreach (var (name, pod) in ManifestPods())
        {
            var security = (Dictionary<object, object>)pod["securityContext"];
            Assert.True((string)security["runAsNonRoot"] == "true" && (string)security["runAsUser"] == image.Dockerfile.User, $"{name} runs as the image's user");
        }
    }

    [Fact]
    public async Task Both_published_entry_points_start_and_the_gateway_becomes_ready()
    {
        var data = Path.Combine(image.Root, "data-" + Guid.NewGuid().ToString("N"));
        var orleansPort = SiloProcess.FreePort();
        await using var silo = ProcessUnderTest.Start(image.OnDisk("/app/silo/HazardGrid.Silo.dll"),
            $"--HazardGrid:DataDirectory={data}", $"--HazardGrid:SiloPort={SiloProcess.FreePort()}", $"--HazardGrid:GatewayPort={orleansPort}",
            $"--HazardGrid:Endpoints:GrpcPort={SiloProcess.FreePort()}", "--HazardGrid:Endpoints:HttpPort=0", "--HazardGrid:Dashboard=false");
        await silo.WaitForLineAsync("HazardGrid is running");

        // Each entry point reads its own appsettings.json: the silo's keeps Orleans' option dumps out.
        Assert.Contains("Orleans.Runtime.SiloOptionsLogger", await File.ReadAllTextAsync(image.OnDisk("/app/silo/appsettings.json")));
        Assert.DoesNotContain("Orleans.Runtime.Silo", await File.ReadAllTextAsync(image.OnDisk("/app/gateway/appsettings.json")));
        Assert.DoesNotContain(silo.Lines(), l => l.Contains("SiloOptionsLogger", StringComparison.Ordinal));

        var httpPort = SiloProcess.FreePort();
        await using var gateway = ProcessUnderTest.Start(image.OnDisk("/app/gateway/HazardGrid.Gateway.dll"),
            $"--HazardGrid:GatewayPort={orleansPort}", $"--HazardGrid:Endpoints:GrpcPort={SiloProcess.FreePort()}", $"--HazardGrid:Endpoints:HttpPort={httpPort}");
        await gateway.WaitForHttpAsync($"http://127.0.0.1:{httpPort}/readyz", HttpStatusCode.OK);
        await gateway.WaitForLineAsync("HazardGrid gateway is running");
    }

    private static IEnumerable<(string Name, Dictionary<object, object> Pod)> ManifestPods()
    {
        var deserializer = new DeserializerBuilder().Build();
        foreach (var file in new[] { "silo.yaml", "gateway.yaml", "schema-job.yaml" })
        {
            var text = File.ReadAllText(Path.Combine(Published.RepositoryRoot, "deploy", "k8s", file));
            foreach (var document in text.Split("\n---\n").Select(d => deserializer.Deserialize<Dictionary<object, object>>(d)))
            {
                if ((string)document["kind"] is "Deployment" or "Job")
                {
                    var spec = (Dictionary<object, object>)document["spec"];
                    var template = (Dictionary<object, object>)spec["template"];
                    yield return ($"{document["kind"]} {((Dictionary<object, object>)document["metadata"])["name"]}", (Dictionary<object, object>)template["spec"]);
                }
            }
        }
    }

    private static IEnumerable<(string Name, Dictionary<object, object> Container)> ManifestContainers() =>
        ManifestPods().SelectMany(p => ((List<object>)p.Pod["containers"]).Cast<Dictionary<object, object>>().Select(c => (p.Name, c)));

    /// <summary>What the Dockerfile says, read from its text.</summary>
    public sealed record DockerfileModel(IReadOnlyList<string> BuildCommands, IReadOnlyDictionary<string, string> CopiedFromBuild, string User, IReadOnlyList<string> Command)
    {
        public static DockerfileModel Read(string path)
        {
            var instructions = File.ReadAllText(path).Replace("\\\n", " ", StringComparison.Ordinal).Split('\n')
                .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
                .Select(l => (Keyword: l.Split(' ', 2)[0].ToUpperInvariant(), Args: l.Split(' ', 2).ElementAtOrDefault(1) ?? string.Empty))
                .ToList();
            var stages = instructions.Count(i => i.Keyword == "FROM");
            Assert.True(stages == 2, "a build stage and a runtime stage");
            var buildStage = instructions.TakeWhile((_, n) => n == 0 || instructions[n].Keyword != "FROM").ToList();
            var commands = buildStage.Where(i => i.Keyword == "RUN")
                .SelectMany(i => i.Args.Split("&&", StringSplitOptions.TrimEntries))
                .Where(c => c.StartsWith("dotnet ", StringComparison.Ordinal)).ToList();
            var copies = instructions.Where(i => i.Keyword == "COPY" && i.Args.StartsWith("--from=build ", StringComparison.Ordinal))
                .Select(i => i.Args.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .ToDictionary(p => p[2].TrimEnd('/'), p => p[1].TrimEnd('/'));
            var user = instructions.Last(i => i.Keyword == "USER").Args;
            var cmd = Regex.Matches(instructions.Last(i => i.Keyword == "CMD").Args, "\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
            return new DockerfileModel(commands, copies, user, cmd);
        }
    }

    /// <summary>The build stage's commands, run once from the repository root into a temporary folder.</summary>
    public sealed class Published : IAsyncLifetime
    {
        public static readonly string RepositoryRoot = FindRoot();

        public string Root { get; } = Path.Combine(Path.GetTempPath(), "hazardgrid-image-" + Guid.NewGuid().ToString("N"));

        public DockerfileModel Dockerfile { get; } = DockerfileModel.Read(Path.Combine(RepositoryRoot, "Dockerfile"));

        /// <summary>Where a path inside the image is in the publish output: /app/silo/x → {Root}/out/silo/x.</summary>
        public string OnDisk(string imagePath)
        {
            var (target, source) = Dockerfile.CopiedFromBuild.Single(c => imagePath.StartsWith(c.Key + "/", StringComparison.Ordinal));
            return Path.Combine(Root, source.TrimStart('/'), imagePath[(target.Length + 1)..]);
        }

        public async Task InitializeAsync()
        {
            Assert.Contains(Dockerfile.BuildCommands, c => c.StartsWith("dotnet publish", StringComparison.Ordinal));
            foreach (var command in Dockerfile.BuildCommands)
            {
                var start = new ProcessStartInfo("dotnet")
                {
                    WorkingDirectory = RepositoryRoot,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                };
                foreach (var word in command.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
                {
                    // The image's /out is a folder of this run; everything else is as written.
                    start.ArgumentList.Add(word.StartsWith("/out/", StringComparison.Ordinal) ? Path.Combine(Root, word[1..]) : word);
                }

                start.Environment["MSBUILDDISABLENODEREUSE"] = "1"; // leave no build servers behind
                start.Environment["UseSharedCompilation"] = "false";
                using var process = Process.Start(start)!;
                var output = process.StandardOutput.ReadToEndAsync();
                var error = process.StandardError.ReadToEndAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
                await process.WaitForExitAsync(timeout.Token);
                Assert.True(process.ExitCode == 0, $"`{command}` failed:\n{await output}\n{await error}");
            }
        }

        public Task DisposeAsync()
        {
            if (Directory.Exists(Root))
            {
                Directory.Delete(Root, recursive: true);
            }

            return Task.CompletedTask;
        }

        private static string FindRoot()
        {
            var root = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(root, "HazardGrid.sln")))
            {
                root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("HazardGrid.sln not found above the test output");
            }

            return root;
        }
    }
}
