// Writes a varied HazardGrid store through the public gRPC API and records what the service
// answered in a manifest: the old-store fixture of tests/HazardGrid.Tests/Compatibility/OldStore.
// Run against commit 75a23bf; see README.md for how (and with which ladder).
//   dotnet run -c Release --project tests/Compatibility/OldStoreWriter -- http://127.0.0.1:5100 manifest.json
using HazardGrid.Compatibility.OldStoreWriter;

var target = args.Length > 0 ? args[0] : "http://127.0.0.1:5100";
var output = args.Length > 1 ? args[1] : "manifest.json";
var fixture = new FixtureWriter(target);
await fixture.WriteAsync();
await File.WriteAllTextAsync(output, fixture.Manifest());
Console.WriteLine($"Wrote {fixture.StepCount} recorded writes and the final state to {Path.GetFullPath(output)}.");
