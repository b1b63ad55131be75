using Botvisor.Core.Alerts;
using Botvisor.Core.State;
using Microsoft.Extensions.Time.Testing;

namespace Botvisor.Core.Tests.Alerts;

public class AlertEngineTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));

    private static readonly AlertTimings Timings = new()
    {
        Wait = TimeSpan.FromSeconds(30),
        Group = TimeSpan.FromMinutes(5),
        Repeat = TimeSpan.FromHours(4),
        UnhealthyAfter = TimeSpan.FromMinutes(2),
        StormRestarts = 5,
        StormWindow = TimeSpan.FromMinutes(10),
        DigestAfter = 5,
    };

    private readonly AlertEngine _engine = new(Timings);
    private readonly List<AlertBatch> _sent = [];

    private void Event(string bot, string state, string message, string kind = BotEventKinds.State)
    {
        foreach (var s in AlertClassifier.Classify(new BotEvent { Time = _time.GetUtcNow(), Kind = kind, BotId = bot, State = state, Message = message }))
        {
            _engine.Observe(s, _time.GetUtcNow());
        }
    }

    /// <summary>Advances the clock a second at a time, flushing as the daemon's tick does.</summary>
    private void Advance(TimeSpan span)
    {
        var end = _time.GetUtcNow() + span;
        while (_time.GetUtcNow() < end)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            if (_engine.Flush(_time.GetUtcNow()) is { } batch) _sent.Add(batch);
        }
    }

    [Fact]
    public void Failed_ThenRunning_YieldsOneAlertAndOneRecovery()
    {
        Event("crashy", "failed", "gave up after 10 restarts: worker exited with code 2");
        Advance(TimeSpan.FromSeconds(29));
        Assert.Empty(_sent);
        Advance(TimeSpan.FromSeconds(2));
        var alert = Assert.Single(_sent);
        Assert.Equal(new AlertKey("crashy", AlertKind.BotFailed), Assert.Single(alert.Firing).Key);

        Event("crashy", "running", "worker started (pid 5)");
        Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(2, _sent.Count);
        var recovery = Assert.Single(_sent[1].Resolved);
        Assert.Equal(new AlertKey("crashy", AlertKind.BotFailed), recovery.Key);
        Assert.Equal("worker started (pid 5)", recovery.EndReason);
    }

    [Fact]
    public void Flapping_WithinTheWait_IsOneAlertAndOneRecoveryNotOnePerCrash()
    {
        Event("flappy", "failed", "crashed");
        Advance(TimeSpan.FromSeconds(31));
        Assert.Single(_sent);
        for (int i = 0; i < 20; i++)
        {
            Event("flappy", "running", "started");
            Advance(TimeSpan.FromSeconds(10));
            Event("flappy", "failed", "crashed again");
            Advance(TimeSpan.FromSeconds(10));
        }
        Assert.Single(_sent); // each recovery was taken back within the wait
        Event("flappy", "running", "started");
        Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(2, _sent.Count);
        Assert.Single(_sent[1].Resolved);
        Assert.Empty(_sent[1].Firing);
    }

    [Fact]
    public void ProblemThatClearsWithinTheWait_IsNeverTold()
    {
        Event("blip", "failed", "crashed");
        Advance(TimeSpan.FromSeconds(20));
        Event("blip", "running", "started");
        Advance(TimeSpan.FromMinutes(10));
        Assert.Empty(_sent);
    }

    [Fact]
    public void FiftyBotsFailingAtOnce_AreOneBatch()
    {
        for (int i = 0; i < 50; i++) Event($"bot-{i:00}", "failed", "exited with code 1");
        Advance(TimeSpan.FromMinutes(2));
        var batch = Assert.Single(_sent);
        Assert.Equal(50, batch.Firing.Count);
        var text = AlertText.Render(batch, Timings.DigestAfter);
        Assert.StartsWith("🔴 <b>50 bots failed</b> in 1s: bot-00, bot-01", text, StringComparison.Ordinal);
        Assert.Contains("and 30 more", text, StringComparison.Ordinal);
        Assert.Contains("50× exited with code 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void GroupInterval_HoldsTheNextNotificationAndGroupsWhatCameMeanwhile()
    {
        Event("a", "failed", "x");
        Advance(TimeSpan.FromSeconds(31));
        Assert.Single(_sent);
        Event("b", "failed", "x");
        Advance(TimeSpan.FromMinutes(1));
        Event("c", "failed", "x");
        Advance(TimeSpan.FromMinutes(3));
        Assert.Single(_sent); // 5 minutes have not passed since the first
        Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, _sent.Count);
        Assert.Equal(["b", "c"], _sent[1].Firing.Select(a => a.Key.Subject));
    }

    [Fact]
    public void StandingProblem_IsRepeatedAfterTheRepeatInterval()
    {
        Event("a", "failed", "x");
        Advance(TimeSpan.FromHours(4) + TimeSpan.FromMinutes(1));
        Assert.Equal(2, _sent.Count);
        Assert.Equal(new AlertKey("a", AlertKind.BotFailed), Assert.Single(_sent[1].Repeated).Key);
    }

    [Fact]
    public void SameProblemAgain_IsDeduplicated()
    {
        Event("a", "failed", "x");
        Event("a", "failed", "y");
        Advance(TimeSpan.FromMinutes(1));
        var alert = Assert.Single(Assert.Single(_sent).Firing);
        Assert.Equal("y", alert.Reason);
    }

    [Fact]
    public void Unhealthy_IsAnAlertOnlyPastTheThreshold()
    {
        Event("web", "running", "health healthy -> unhealthy (http: HTTP 500)", BotEventKinds.Health);
        Advance(TimeSpan.FromSeconds(100));
        Event("web", "running", "health unhealthy -> healthy (http: HTTP 200)", BotEventKinds.Health);
        Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(_sent);

        Event("web", "running", "health healthy -> unhealthy (http: HTTP 500)", BotEventKinds.Health);
        Advance(TimeSpan.FromSeconds(121));
        var alert = Assert.Single(Assert.Single(_sent).Firing);
        Assert.Equal(AlertKind.Unhealthy, alert.Key.Kind);
        Assert.StartsWith("unhealthy for 2m", alert.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RestartStorm_IsOneAlertWhileItLastsAndEndsWhenQuiet()
    {
        for (int i = 0; i < 30; i++)
        {
            Event("crashy", "backoff", $"worker exited with code 2; restart {i + 1} of 100");
            Advance(TimeSpan.FromSeconds(4));
        }
        var storm = Assert.Single(_sent);
        Assert.Equal(new AlertKey("crashy", AlertKind.RestartStorm), Assert.Single(storm.Firing).Key);
        Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(2, _sent.Count);
        Assert.Equal(AlertKind.RestartStorm, Assert.Single(_sent[1].Resolved).Key.Kind);
    }

    [Fact]
    public void FewRestarts_AreNoStorm()
    {
        for (int i = 0; i < 4; i++)
        {
            Event("bot", "backoff", "exited");
            Advance(TimeSpan.FromMinutes(1));
        }
        Advance(TimeSpan.FromMinutes(20));
        Assert.Empty(_sent);
    }

    [Fact]
    public void Silence_HoldsAlertsBackUntilItEnds()
    {
        _engine.Mute(new Silence("crashy", null, _time.GetUtcNow() + TimeSpan.FromHours(1), "telegram:1"));
        Event("crashy", "failed", "x");
        Event("other", "failed", "y");
        Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(["other"], Assert.Single(_sent).Firing.Select(a => a.Key.Subject));
        Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(2, _sent.Count);
        Assert.Equal(["crashy"], _sent[1].Firing.Select(a => a.Key.Subject));
    }

    [Fact]
    public void SilencedProblem_ThatEndsWhileSilenced_IsNeverTold()
    {
        _engine.Mute(new Silence(Silence.AnySubject, AlertKind.BotFailed, _time.GetUtcNow() + TimeSpan.FromHours(1), "cli"));
        Event("crashy", "failed", "x");
        Advance(TimeSpan.FromMinutes(10));
        Event("crashy", "running", "ok");
        Advance(TimeSpan.FromHours(2));
        Assert.Empty(_sent);
    }

    [Fact]
    public void TokenRejected_IsItsOwnKind()
    {
        Event("news", "failed", "token rejected by Telegram (401 Unauthorized); not restarting: fix the token, then start the bot");
        Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(AlertKind.TokenRejected, Assert.Single(Assert.Single(_sent).Firing).Key.Kind);
    }

    [Fact]
    public void Conflict_AndMemoryKill_EndAfterAQuietTime()
    {
        Event("echo", "running", "another instance is polling this token (Telegram answered 409 Conflict: terminated by other getUpdates request)", BotEventKinds.Health);
        Event("fat", "backoff", "memory limit 256 MiB exceeded (RSS 301 MiB)");
        Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([AlertKind.Conflict, AlertKind.MemoryLimit], Assert.Single(_sent).Firing.Select(a => a.Key.Kind).Order());
        Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(2, _sent[1].Resolved.Count);
    }
}
