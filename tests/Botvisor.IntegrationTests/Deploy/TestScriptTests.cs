using System.Diagnostics;
using Botvisor.IntegrationTests.Api;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.Deploy;

/// <summary>tests/run on a machine that lacks something and where it may not install: it stops at once with the command.</summary>
public class TestScriptTests
{
    [Fact]
    public async Task TestsRun_WithoutRoot_AndAToolMissing_StopsAtOnceWithTheInstallCommand()
    {
        using var temp = new TempFleet();
        // A PATH with what the script looks for, except curl, and an `id` that says "not root".
        var bin = Directory.CreateDirectory(Path.Combine(temp.Directory, "bin")).FullName;
        foreach (var tool in (string[])["dotnet", "python3", "node", "npm", "ps", "dirname"])
        {
            var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
            if (found is not null) File.CreateSymbolicLink(Path.Combine(bin, tool), found);
        }
        var id = Path.Combine(bin, "id");
        File.WriteAllText(id, "#!/bin/sh\necho 1000\n");
        File.SetUnixFileMode(id, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var psi = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(OpenApiBaselineTests.RepositoryRoot(), "tests", "run"));
        psi.Environment["PATH"] = bin;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Daemon);

        Assert.Equal(1, process.ExitCode);
        Assert.Contains("the tests need", stderr);
        Assert.Contains("sudo apt-get update && sudo apt-get install -y -qq", stderr);
        Assert.Contains("curl", stderr);
        Assert.Equal("", await stdout); // nothing ran
    }
}
