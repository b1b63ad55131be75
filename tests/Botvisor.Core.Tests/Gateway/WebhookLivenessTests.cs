using Botvisor.Core.Fleet;
using Botvisor.Core.Gateway;
using Botvisor.Core.Health;
using Microsoft.Extensions.Time.Testing;

namespace Botvisor.Core.Tests.Gateway;

/// <summary>
/// <c>liveness.max_poll_gap</c> for bots that take their updates by webhook: judged by Telegram's
/// getWebhookInfo (updates left waiting, failed deliveries, calls from the bot), never by getUpdates.
/// </summary>
public class WebhookLivenessTests
{
    private static readonly TimeSpan Gap = TimeSpan.FromMinutes(2);
    private const string Hook = "https://bots.example.org/hook";

    private static readonly DateTimeOffset Start = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Backlog_OfAQuietBot_WithNothingWaiting_IsNeverStopped()
    {
        var backlog = new WebhookBacklog();
        for (int minute = 0; minute <= 600; minute++)
        {
            Assert.Null(backlog.Observe(new WebhookInfo(Hook, 0), Start.AddMinutes(minute), lastCall: null, Gap));
        }
    }

    [Fact]
    public void Backlog_WaitingTheWholeGap_WithADeliveryFailedMeanwhile_IsStopped_WithTelegramsError()
    {
        var backlog = new WebhookBacklog();
        Assert.Null(backlog.Observe(new WebhookInfo(Hook, 3), Start, Start.AddMinutes(-1), Gap));
        var failing = new WebhookInfo(Hook, 3, Start.AddSeconds(100), "Connection refused");
        Assert.Null(backlog.Observe(failing, Start.AddSeconds(119), Start.AddMinutes(-1), Gap));
        Assert.Equal(
            "webhook stopped: 3 updates waiting at Telegram for 2m (liveness.max_poll_gap 2m); Telegram's last delivery failed 20s ago: Connection refused; the process was alive",
            backlog.Observe(failing, Start.AddSeconds(120), Start.AddMinutes(-1), Gap));
    }

    [Fact]
    public void Backlog_OfABusyBot_ThatTakesUpdates_IsNotStopped_AlthoughSomeAlwaysWait()
    {
        var backlog = new WebhookBacklog();
        int[] counts = [5, 7, 4, 9, 6, 8, 3, 10, 2];
        for (int i = 0; i < counts.Length; i++)
        {
            // A delivery failed once long ago; the count goes down between looks: the bot takes its updates.
            var info = new WebhookInfo(Hook, counts[i], Start.AddHours(-1), "Read timeout expired");
            Assert.Null(backlog.Observe(info, Start.AddMinutes(i), Start.AddMinutes(i), Gap));
        }
    }

    [Fact]
    public void Backlog_AnOldError_FromBeforeTheUpdatesWaited_IsNoReason()
    {
        var backlog = new WebhookBacklog();
        var info = new WebhookInfo(Hook, 2, Start.AddMinutes(-30), "Connection refused");
        Assert.Null(backlog.Observe(info, Start, Start.AddMinutes(-5), Gap));
        Assert.Null(backlog.Observe(info, Start.AddMinutes(10), Start.AddMinutes(-5), Gap)); // same count, no new failure, not growing
    }

    [Fact]
    public void Backlog_Growing_WithNoCallFromTheBot_IsStopped_ButNotWhileTheBotCalls()
    {
        var silent = new WebhookBacklog();
        Assert.Null(silent.Observe(new WebhookInfo(Hook, 1), Start, null, Gap));
        Assert.Null(silent.Observe(new WebhookInfo(Hook, 4), Start.AddMinutes(1), null, Gap));
        Assert.Equal(
            "webhook stopped: 6 updates waiting at Telegram for 2m and growing, with no Bot API call from the bot (liveness.max_poll_gap 2m); the process was alive",
            silent.Observe(new WebhookInfo(Hook, 6), Start.AddMinutes(2), null, Gap));

        var calling = new WebhookBacklog();
        Assert.Null(calling.Observe(new WebhookInfo(Hook, 1), Start, null, Gap));
        Assert.Null(calling.Observe(new WebhookInfo(Hook, 6), Start.AddMinutes(2), Start.AddMinutes(1), Gap));
    }

    [Fact]
    public void Backlog_WithoutAWebhook_IsNotJudged()
    {
        var backlog = new WebhookBacklog();
        Assert.Null(backlog.Observe(new WebhookInfo("", 50, Start, "x"), Start, null, Gap));
        Assert.Null(backlog.Observe(new WebhookInfo("", 50, Start.AddHours(1), "x"), Start.AddHours(1), null, Gap));
    }

    [Fact]
    public void Watch_OfAQuietWebhookBot_NeverReports_AndAsksTelegramAtMostTwicePerGap()
    {
        using var w = new Watched(webhook: true);
        for (int i = 0; i < 60; i++) w.Time.Advance(TimeSpan.FromSeconds(10)); // 10 minutes, no getUpdates at all
        Assert.Empty(w.Reports);
        Assert.InRange(w.Telegram.Asked, 5, 10);
    }

    [Fact]
    public void Watch_OfAWebhookBot_WhoseUpdatesPileUpUndelivered_ReportsOnce()
    {
        using var w = new Watched(webhook: true);
        w.Time.Advance(TimeSpan.FromMinutes(3));

        w.Telegram.Answer = () => new WebhookInfo(Hook, 2, w.Time.GetUtcNow(), "Connection refused"); // Telegram retries and fails
        w.Time.Advance(TimeSpan.FromSeconds(119));
        Assert.Empty(w.Reports);
        w.Time.Advance(TimeSpan.FromMinutes(2));
        var reason = Assert.Single(w.Reports);
        Assert.StartsWith("webhook stopped: 2 updates waiting at Telegram for", reason);
        Assert.Contains("Connection refused", reason);
        w.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Single(w.Reports);
    }

    [Fact]
    public void Watch_WhenTelegramCannotBeAsked_ConcludesNothing()
    {
        using var w = new Watched(webhook: true, answer: () => null);
        w.Time.Advance(TimeSpan.FromMinutes(30));
        Assert.Empty(w.Reports);
    }

    [Fact]
    public void Watch_OfABotThatNeverPolls_AsksTelegramFirst_AndAWebhookSetElsewhereSparesIt()
    {
        using var w = new Watched(webhook: false);
        w.Time.Advance(TimeSpan.FromMinutes(30)); // set by an earlier run or outside Botvisor: Telegram says so
        Assert.Empty(w.Reports);
        Assert.True(w.Run.Bot.TakesWebhook);
    }

    [Fact]
    public void Watch_AfterTheWebhookIsDeletedElsewhere_JudgesPollsAgain_FromThen()
    {
        using var w = new Watched(webhook: true);
        w.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(w.Reports);

        w.Telegram.Answer = () => new WebhookInfo("", 0);
        w.Time.Advance(TimeSpan.FromMinutes(1)); // the next look sees no webhook: the poll gap starts now
        Assert.False(w.Run.Bot.TakesWebhook);
        Assert.Empty(w.Reports);
        w.Time.Advance(Gap);
        Assert.StartsWith("polling stopped: no getUpdates through the gateway", Assert.Single(w.Reports));
    }

    /// <summary>A run of a gateway bot watched with <see cref="Gap"/> against a fake Telegram; <paramref name="webhook"/>: its setWebhook went through the gateway.</summary>
    private sealed class Watched : IDisposable
    {
        public Watched(bool webhook, Func<WebhookInfo?>? answer = null)
        {
            Checks = new CheckScheduler(Time);
            Run = new GatewayRegistry(Time).Issue(new BotSpec
            {
                Id = "hook", Command = ["x"], WorkingDirectory = "/", Token = new BotToken("123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq"), Gateway = true, MaxPollGap = Gap,
            });
            if (webhook) Run.Bot.WebhookSet();
            if (answer is not null) Telegram.Answer = answer;
            Watch = new LivenessWatch(Run, Gap, Checks, Telegram, Time, Reports.Add);
        }

        public FakeTimeProvider Time { get; } = new(Start);
        public CheckScheduler Checks { get; }
        public GatewayRun Run { get; }
        public FakeTelegram Telegram { get; } = new();
        public List<string> Reports { get; } = [];
        private LivenessWatch Watch { get; }

        public void Dispose()
        {
            Watch.Dispose();
            Checks.Dispose();
        }
    }

    /// <summary>getWebhookInfo as Telegram would answer it now (synchronously, so that each look ends within the fake clock's advance).</summary>
    private sealed class FakeTelegram : IWebhookInfoSource
    {
        public Func<WebhookInfo?> Answer { get; set; } = () => new WebhookInfo(Hook, 0);

        public int Asked { get; private set; }

        public Task<WebhookInfo?> GetAsync(GatewayRun run, CancellationToken cancellationToken)
        {
            Asked++;
            return Task.FromResult(Answer());
        }
    }
}
