using System.Text.Json;
using Botvisor.IntegrationTests.Runners;

namespace Botvisor.IntegrationTests.Cli;

/// <summary><c>botvisor mute</c> and <c>unmute</c> against a real daemon (the local socket: no token).</summary>
[Collection(Daemon.DaemonCollection.Name)]
public class MuteCommandTests
{
    [Fact]
    public async Task Mute_ListsAndUnmutes_WithJsonForScripts_AndAuditsTheCaller()
    {
        using var fleet = new TempFleet().Write("""
            bots:
              crashy:
                command: [sh, -c, "exit 1"]
                restart: never
            """);
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await daemon.WaitForAsync(200, e => e.Message.StartsWith("Bot crashy: failed", StringComparison.Ordinal));
        string[] at = ["--state-dir", fleet.StateDir];
        string[] Cli(params string[] args) => [.. args, .. at];

        var (code, stdout, stderr) = await DaemonRunner.RunCliAsync(Cli("mute", "crashy", "2h"));
        Assert.True(code == 0, stderr);
        Assert.StartsWith("muted crashy until ", stdout, StringComparison.Ordinal);

        var (kindCode, kindJson, _) = await DaemonRunner.RunCliAsync(Cli("mute", "kind:restart_storm", "30m", "--json"));
        Assert.Equal(0, kindCode);
        var silence = JsonDocument.Parse(kindJson).RootElement;
        Assert.Equal(("*", "restart_storm"), (silence.GetProperty("target").GetString(), silence.GetProperty("kind").GetString()));

        var (listCode, list, _) = await DaemonRunner.RunCliAsync(Cli("mute"));
        Assert.Equal(0, listCode);
        Assert.Contains("muted   crashy", list, StringComparison.Ordinal);
        Assert.Contains("muted   kind restart_storm", list, StringComparison.Ordinal);
        Assert.Contains("open    crashy bot_failed", list, StringComparison.Ordinal);
        Assert.Contains("(muted)", list, StringComparison.Ordinal);

        var (listJsonCode, listJson, _) = await DaemonRunner.RunCliAsync(Cli("mute", "--json"));
        Assert.Equal(0, listJsonCode);
        var alerts = JsonDocument.Parse(listJson).RootElement;
        Assert.Equal(2, alerts.GetProperty("silences").GetArrayLength());
        Assert.True(alerts.GetProperty("open")[0].GetProperty("silenced").GetBoolean());

        var (bad, _, badErr) = await DaemonRunner.RunCliAsync(Cli("mute", "kind:nonsense", "1h"));
        Assert.Equal(1, bad);
        Assert.Contains("unknown alert kind 'nonsense'", badErr, StringComparison.Ordinal);
        var (badDuration, _, durationErr) = await DaemonRunner.RunCliAsync(Cli("mute", "crashy", "forever"));
        Assert.Equal(1, badDuration);
        Assert.Contains("expected a duration such as 30m or 1h", durationErr, StringComparison.Ordinal);

        Assert.Equal(0, (await DaemonRunner.RunCliAsync(Cli("unmute", "crashy"))).ExitCode);
        var (again, _, againErr) = await DaemonRunner.RunCliAsync(Cli("unmute", "crashy"));
        Assert.Equal(4, again);
        Assert.Contains("nothing is muted for 'crashy'", againErr, StringComparison.Ordinal);

        var events = await AdminBot.AdminBotTests.EventsAsync(daemon);
        Assert.Matches(@"unix:\S+: mute crashy for 2h: ok", events);
        Assert.Matches(@"unix:\S+: unmute crashy: ok", events);

        // Silences outlive the daemon: the next one on this state directory keeps kind:restart_storm.
        var file = Path.Combine(fleet.StateDir, "silences.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        daemon.Signal("TERM");
        Assert.Equal(0, await daemon.WaitForExitAsync());
        await using var next = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        await next.WaitForAsync(200, e => e.Message.StartsWith("Bot crashy: failed", StringComparison.Ordinal));
        var (afterCode, afterJson, _) = await DaemonRunner.RunCliAsync(Cli("mute", "--json"));
        Assert.Equal(0, afterCode);
        var kept = Assert.Single(JsonDocument.Parse(afterJson).RootElement.GetProperty("silences").EnumerateArray());
        Assert.Equal("restart_storm", kept.GetProperty("kind").GetString());
    }
}
