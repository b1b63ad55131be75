using Botvisor.Core.Fleet;
using Botvisor.Core.Gateway;
using Botvisor.Core.Health;
using Botvisor.Core.Supervision;
using Botvisor.Core.Supervision.Attachments;
using Microsoft.Extensions.Time.Testing;

namespace Botvisor.Core.Tests.Supervision.Attachments;

public class GatewayPlaceholderTests
{
    private const string Real = "7000000123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq";
    private readonly FakeTimeProvider _time = new();

    private static BotSpec Spec(bool gateway = true) => new()
    {
        Id = "echo",
        Command = ["x"],
        WorkingDirectory = "/",
        Token = new BotToken(Real),
        Gateway = gateway,
        Env = new Dictionary<string, string> { ["MY_TOKEN"] = Real, ["URL"] = $"https://api.telegram.org/bot{Real}/getMe" },
        TelegramApiBaseUrl = "https://api.telegram.org",
    };

    [Fact]
    public void Spawning_AGatewayBot_GetsThePlaceholderAndTheGatewaysUrl_AndTheRealTokenNowhere()
    {
        var registry = new GatewayRegistry(_time) { BaseUrl = "http://127.0.0.1:40000" };
        using var checks = new CheckScheduler(_time);
        var spec = Spec();
        var env = WorkerEnvironment.Build(spec, new Dictionary<string, string> { ["ECHO"] = Real }, new HashSet<string> { Real });
        new GatewayPlaceholder(registry, checks).Spawning(spec, env);

        var placeholder = registry.Bot("echo")!.Current!.Placeholder;
        Assert.Equal(placeholder, env[WorkerEnvironment.BotToken]);
        Assert.Equal(placeholder, env[WorkerEnvironment.TelegramBotToken]);
        Assert.Equal("http://127.0.0.1:40000", env[WorkerEnvironment.TelegramApiBaseUrl]);
        Assert.Equal(placeholder, env["MY_TOKEN"]);
        Assert.Equal($"https://api.telegram.org/bot{placeholder}/getMe", env["URL"]);
        Assert.DoesNotContain(env.Values, v => v.Contains(Real, StringComparison.Ordinal));
    }

    [Fact]
    public void Spawning_InACluster_BindsTheRunToTheLeaseEpochOfTheSpawn_AndABotSwitchedOffLeavesNothing()
    {
        var registry = new GatewayRegistry(_time) { BaseUrl = "http://127.0.0.1:40000" };
        using var checks = new CheckScheduler(_time);
        var leases = new Botvisor.Core.Cluster.LocalLeases(_time, Botvisor.Core.Cluster.ClusterTiming.Default);
        leases.Extend([new Botvisor.Core.Cluster.LeaseGrant("echo", 5)], _time.GetTimestamp(), adopt: true);
        var attachment = new GatewayPlaceholder(registry, checks, leases);
        attachment.Spawning(Spec(), new Dictionary<string, string>());
        var run = registry.Bot("echo")!.Current!;
        Assert.False(run.UnderEpoch(6)); // lost and retaken as 6 before the worker's first call: still not its tenure
        Assert.True(run.UnderEpoch(5));

        attachment.Spawning(Spec(gateway: false), new Dictionary<string, string>());
        Assert.Null(registry.Bot("echo"));
        Assert.False(run.IsLive);
    }

    [Fact]
    public void SpawnFailed_AfterSpawning_KillsThePlaceholderNoWorkerWillCarry()
    {
        var registry = new GatewayRegistry(_time) { BaseUrl = "http://127.0.0.1:40000" };
        using var checks = new CheckScheduler(_time);
        var attachment = new GatewayPlaceholder(registry, checks);
        var env = new Dictionary<string, string>();
        attachment.Spawning(Spec(), env);
        Assert.NotNull(registry.Resolve(env[WorkerEnvironment.BotToken]));
        attachment.SpawnFailed(Spec());
        Assert.Null(registry.Resolve(env[WorkerEnvironment.BotToken]));
    }

    [Fact]
    public void Build_AGatewayBotWithoutTheAttachment_StillNeverGetsTheRealToken()
    {
        var env = WorkerEnvironment.Build(Spec() with { Env = new Dictionary<string, string>() }, new Dictionary<string, string>(), new HashSet<string>());
        Assert.False(env.ContainsKey(WorkerEnvironment.BotToken));
        Assert.False(env.ContainsKey(WorkerEnvironment.TelegramBotToken));
    }

    [Fact]
    public void Spawning_WhileTheGatewayDoesNotListen_FailsTheSpawn()
    {
        using var checks = new CheckScheduler(_time);
        var env = new Dictionary<string, string>();
        var error = Assert.Throws<SpawnException>(() => new GatewayPlaceholder(new GatewayRegistry(_time), checks).Spawning(Spec(), env));
        Assert.Contains("gateway", error.Message);
        Assert.Empty(env);
    }

    [Fact]
    public void Spawning_ABotNotBehindTheGateway_IsLeftAlone()
    {
        var registry = new GatewayRegistry(_time) { BaseUrl = "http://127.0.0.1:40000" };
        using var checks = new CheckScheduler(_time);
        var env = new Dictionary<string, string> { [WorkerEnvironment.BotToken] = Real };
        new GatewayPlaceholder(registry, checks).Spawning(Spec(gateway: false), env);
        Assert.Equal(Real, env[WorkerEnvironment.BotToken]);
        Assert.Null(registry.Bot("echo"));
    }
}
