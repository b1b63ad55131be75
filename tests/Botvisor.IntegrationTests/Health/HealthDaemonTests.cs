using System.Text.Json;
using Botvisor.IntegrationTests.Api;
using Botvisor.IntegrationTests.Runners;

namespace Botvisor.IntegrationTests.Health;

/// <summary>A hung bot and a leaking bot under the real daemon: restarted, with the reason in status and events.</summary>
[Collection(Daemon.DaemonCollection.Name)]
public class HealthDaemonTests
{
    [Fact]
    public async Task HungAndLeakingBots_AreRestartedWithTheReason_InStatusAndEvents()
    {
        using var fleet = new TempFleet().Write("""
            sample_interval: 200ms
            defaults:
              backoff: { initial: 10s, max: 10s, jitter: 0 }
            bots:
              hung:
                command: ["python3", "-c", "import os,socket,time\ns=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\ns.sendto(b'READY=1', os.environ['NOTIFY_SOCKET'])\ntime.sleep(1000)"]
                ready: notify
                watchdog: 500ms
              leaky:
                command: ["python3", "-c", "import time\nb = bytearray(100 * 1024 * 1024)\ntime.sleep(1000)"]
                memory_max: 40MiB
            """);
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        using var http = await daemon.HttpAsync();

        await daemon.WaitForAsync(200, e => e.Message.StartsWith("Bot hung: backoff", StringComparison.Ordinal));
        await daemon.WaitForAsync(200, e => e.Message.StartsWith("Bot leaky: backoff", StringComparison.Ordinal));

        var bots = JsonDocument.Parse(await http.GetStringAsync("/bots")).RootElement.EnumerateArray().ToDictionary(b => b.GetProperty("id").GetString()!);
        Assert.StartsWith("watchdog timeout: no WATCHDOG=1 within 500ms", bots["hung"].GetProperty("reason").GetString());
        Assert.Equal("unhealthy", bots["hung"].GetProperty("health").GetString());
        Assert.False(bots["hung"].GetProperty("checks").GetProperty("watchdog").GetProperty("healthy").GetBoolean());
        var limits = bots["leaky"].GetProperty("limits");
        Assert.Equal(40L * 1024 * 1024, limits.GetProperty("memoryMax").GetInt64());
        var cgroups = JsonDocument.Parse(await http.GetStringAsync("/status")).RootElement.GetProperty("daemon").GetProperty("cgroups").GetProperty("description").GetString()!;
        if (limits.GetProperty("memoryEnforcement").GetString() == "cgroup")
        {
            TestContext.Current.TestOutputHelper?.WriteLine("exercised: cgroup enforcement; " + cgroups);
            Assert.StartsWith("memory limit 40 MiB exceeded (the kernel's OOM killer ended the bot", bots["leaky"].GetProperty("reason").GetString());
        }
        else
        {
            TestContext.Current.TestOutputHelper?.WriteLine("exercised: watched enforcement; " + cgroups);
            Assert.Equal("watched", limits.GetProperty("memoryEnforcement").GetString());
            Assert.Matches(@"^memory limit 40 MiB exceeded \(RSS \d+(\.\d)? MiB\)", bots["leaky"].GetProperty("reason").GetString());
        }

        var events = await ApiTests.ReadEventsAsync(http, "/events?follow=false&tail=1000");
        static string? Bot(JsonElement e) => e.TryGetProperty("bot", out var b) ? b.GetString() : null;
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "health" && Bot(e) == "hung"
            && e.GetProperty("message").GetString()!.Contains("healthy -> unhealthy", StringComparison.Ordinal));
        Assert.Contains(events, e => Bot(e) == "leaky" && e.GetProperty("message").GetString()!.StartsWith("memory limit", StringComparison.Ordinal));
    }
}
