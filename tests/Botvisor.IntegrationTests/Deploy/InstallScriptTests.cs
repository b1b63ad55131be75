using System.Diagnostics;
using Botvisor.IntegrationTests.Api;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.Deploy;

/// <summary>
/// deploy/install.sh, staged into a directory (<c>--destdir</c>: no account, no systemctl): what it puts
/// where, that a second run changes nothing, that it never overwrites a fleet file, and --uninstall.
/// </summary>
public class InstallScriptTests
{
    private static async Task<(int Code, string Output)> InstallAsync(string destdir, string binaryDir, params string[] extra)
    {
        var psi = new ProcessStartInfo(Path.Combine(OpenApiBaselineTests.RepositoryRoot(), "deploy", "install.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in (string[])["--destdir", destdir, "--binary", binaryDir, .. extra]) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Daemon);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string Snapshot(string root) => string.Join('\n', Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
        .Order(StringComparer.Ordinal)
        .Select(p => $"{Path.GetRelativePath(root, p)} {Describe(p)}"));

    private static string Describe(string path) =>
        new FileInfo(path).LinkTarget is { } target ? "-> " + target
        : File.Exists(path) ? $"{File.GetUnixFileMode(path)} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)))}"
        : "dir " + File.GetUnixFileMode(path);

    /// <summary>systemd's own check of the unit (where systemd-analyze exists), with ExecStart on a program that exists here.</summary>
    private static async Task VerifyUnitAsync(string unit, string scratch)
    {
        if (!File.Exists("/usr/bin/systemd-analyze")) return;
        var copy = Path.Combine(scratch, "botvisor.service");
        File.WriteAllText(copy, File.ReadAllText(unit).Replace("/usr/local/bin/botvisor", "/bin/sleep", StringComparison.Ordinal));
        var psi = new ProcessStartInfo("/usr/bin/systemd-analyze") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["verify", "--man=no", copy]) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Daemon);
        Assert.True(process.ExitCode == 0 && stderr.Length == 0, "systemd-analyze verify: " + stderr);
    }

    [Fact]
    public async Task Install_PutsEverythingInPlace_Idempotently_AndUninstallRemovesIt()
    {
        using var temp = new TempFleet();
        var bin = Directory.CreateDirectory(Path.Combine(temp.Directory, "out")).FullName;
        var binary = Path.Combine(bin, "botvisor");
        File.WriteAllText(binary, $"#!/bin/sh\nexec dotnet '{DaemonRunner.BotvisorDll}' \"$@\"\n");
        File.SetUnixFileMode(binary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var root = Path.Combine(temp.Directory, "root");

        var (code, output) = await InstallAsync(root, bin);
        Assert.True(code == 0, output);
        Assert.Contains("wrote a starter fleet file", output);
        string R(string path) => Path.Combine(root, path.TrimStart('/'));
        Assert.Equal("/usr/local/lib/botvisor/botvisor", new FileInfo(R("/usr/local/bin/botvisor")).LinkTarget);
        Assert.True(File.Exists(R("/usr/local/lib/botvisor/botvisor")));
        Assert.True(File.Exists(R("/usr/local/share/man/man1/botvisor.1")));
        Assert.Contains("complete -o default -F _botvisor botvisor", File.ReadAllText(R("/usr/share/bash-completion/completions/botvisor")));
        Assert.Contains("#compdef botvisor", File.ReadAllText(R("/usr/share/zsh/vendor-completions/_botvisor")));
        Assert.Contains("complete -c botvisor", File.ReadAllText(R("/usr/share/fish/vendor_completions.d/botvisor.fish")));

        var unit = File.ReadAllLines(R("/etc/systemd/system/botvisor.service"));
        foreach (var line in (string[])["Type=notify", "WatchdogSec=30s", "Restart=on-failure", "Delegate=yes", "KillMode=mixed", "User=botvisor",
                     "ExecStart=/usr/local/bin/botvisor run --config /etc/botvisor/botvisor.yaml --state-dir /var/lib/botvisor", "[Install]", "WantedBy=multi-user.target"])
        {
            Assert.Contains(line, unit);
        }

        await VerifyUnitAsync(R("/etc/systemd/system/botvisor.service"), temp.Directory);

        var fleet = R("/etc/botvisor/botvisor.yaml");
        Assert.Contains("state_dir: /var/lib/botvisor", File.ReadAllText(fleet));
        var (valid, validOut, validErr) = await DaemonRunner.RunCliAsync("validate", fleet);
        Assert.True(valid == 0, validErr);
        Assert.Contains("OK, 1 bot(s)", validOut);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(R("/var/lib/botvisor")));

        // Again: nothing changes, and an edited fleet file is kept.
        File.AppendAllText(fleet, "# edited\n");
        var before = Snapshot(root);
        var (again, againOutput) = await InstallAsync(root, bin);
        Assert.True(again == 0, againOutput);
        Assert.DoesNotContain("wrote a starter", againOutput);
        Assert.Equal(before, Snapshot(root));

        var (removed, removedOutput) = await InstallAsync(root, bin, "--uninstall");
        Assert.True(removed == 0, removedOutput);
        var left = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(f => "/" + Path.GetRelativePath(root, f)).ToArray();
        Assert.Equal(["/etc/botvisor/botvisor.yaml"], left);
        Assert.Null(new FileInfo(R("/usr/local/bin/botvisor")).LinkTarget);

        Assert.Equal(0, (await InstallAsync(root, bin, "--purge")).Code);
        Assert.Empty(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories));
    }
}
