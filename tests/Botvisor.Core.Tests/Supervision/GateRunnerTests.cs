using Botvisor.Core.Fleet;
using Botvisor.Core.State;
using Botvisor.Core.Supervision.Gates;
using Botvisor.Core.Supervision.Machine;
using Botvisor.Testing;

namespace Botvisor.Core.Tests.Supervision;

/// <summary>How a bot's start gates are asked: at once when they can answer at once, aside when not, and never late for a run that was replaced.</summary>
public class GateRunnerTests
{
    private static readonly BotSpec Spec = new() { Id = "bot", Command = ["x"], WorkingDirectory = "/" };

    private sealed class Gate(Func<int, ValueTask<GateVerdict>> answer, Task? changed = null) : IStartGate
    {
        public string Doing => "asking the test gate";
        public int Asked { get; private set; }

        public ValueTask<GateVerdict> AskAsync(BotSpec spec, int attempt, CancellationToken cancellationToken)
        {
            Asked++;
            return answer(attempt);
        }

        public Task WhenChangedAsync(BotSpec spec, CancellationToken cancellationToken) => (changed ?? Task.Delay(Timeout.Infinite, cancellationToken)).WaitAsync(cancellationToken);
    }

    private sealed class Answers
    {
        public List<GateVerdict> Now { get; } = [];
        public List<(long Generation, GateVerdict Verdict)> Later { get; } = [];
        public List<long> Changed { get; } = [];
        private readonly SemaphoreSlim _arrived = new(0);

        public GateRunner Runner(params IStartGate[] gates) => new(gates, Now.Add, (g, v) =>
        {
            lock (Later) Later.Add((g, v));
            _arrived.Release();
        }, g =>
        {
            lock (Changed) Changed.Add(g);
            _arrived.Release();
        });

        public Task ArrivedAsync() => _arrived.WaitAsync(TestTimeouts.Event);
    }

    private static ValueTask<GateVerdict> Open(string? reason = null) => ValueTask.FromResult<GateVerdict>(new GateVerdict.Open(reason));

    [Fact]
    public void GatesThatAnswerAtOnce_OpenInTheSameCall_TheLastReasonWins()
    {
        var answers = new Answers();
        using var runner = answers.Runner(new Gate(_ => Open("dependencies are running: db")), new Gate(_ => Open()));
        runner.Run(Spec, attempt: 0);
        var open = Assert.IsType<GateVerdict.Open>(Assert.Single(answers.Now));
        Assert.Equal("dependencies are running: db", open.Reason);
        Assert.Empty(answers.Later);
    }

    [Fact]
    public void TheFirstGateThatDoesNotOpen_Decides_AndTheRestAreNotAsked()
    {
        var answers = new Answers();
        var second = new Gate(_ => Open());
        using var runner = answers.Runner(new Gate(_ => ValueTask.FromResult<GateVerdict>(new GateVerdict.Refuse("no"))), second);
        runner.Run(Spec, 0);
        Assert.Equal(new GateVerdict.Refuse("no"), Assert.Single(answers.Now));
        Assert.Equal(0, second.Asked);
    }

    [Fact]
    public async Task ASlowGate_SaysWhatItDoes_ThenAnswersLater_WithItsRunsGeneration()
    {
        var answers = new Answers();
        var slow = new TaskCompletionSource<GateVerdict>();
        using var runner = answers.Runner(new Gate(_ => Open("dependencies are running: db")), new Gate(_ => new ValueTask<GateVerdict>(slow.Task)));
        runner.Run(Spec, 0);
        Assert.Equal(new GateVerdict.Checking("dependencies are running: db; asking the test gate"), Assert.Single(answers.Now));

        long generation = runner.Generation;
        slow.SetResult(new GateVerdict.Open("token accepted"));
        await answers.ArrivedAsync();
        var (g, verdict) = Assert.Single(answers.Later);
        Assert.Equal(generation, g);
        Assert.Equal("token accepted", Assert.IsType<GateVerdict.Open>(verdict).Reason);
    }

    [Fact]
    public async Task ACancelledRun_IsStale_ItsLateAnswerCarriesAnOldGeneration()
    {
        var answers = new Answers();
        var slow = new TaskCompletionSource<GateVerdict>();
        using var runner = answers.Runner(new Gate(_ => new ValueTask<GateVerdict>(slow.Task)));
        runner.Run(Spec, 0);
        long first = runner.Generation;
        runner.Cancel();
        Assert.NotEqual(first, runner.Generation);
        slow.SetResult(new GateVerdict.Open(null));
        await answers.ArrivedAsync();
        Assert.Equal(first, Assert.Single(answers.Later).Generation); // the supervisor drops it: not its current run
    }

    [Fact]
    public async Task AWaitWithoutARetry_IsWatched_AndAChangeAsksAgain()
    {
        var answers = new Answers();
        var changed = new TaskCompletionSource();
        using var runner = answers.Runner(new Gate(_ => ValueTask.FromResult<GateVerdict>(new GateVerdict.Wait("waiting for db", null)), changed.Task));
        runner.Run(Spec, 0);
        Assert.Equal(new GateVerdict.Wait("waiting for db", null), Assert.Single(answers.Now));
        changed.SetResult();
        await answers.ArrivedAsync();
        Assert.Equal(runner.Generation, Assert.Single(answers.Changed));
    }

    [Fact]
    public async Task AGateThatThrows_IsAWaitWithARetry_AtOnceOrLater()
    {
        var answers = new Answers();
        using var runner = answers.Runner(new Gate(_ => throw new InvalidOperationException("boom")));
        runner.Run(Spec, 0);
        var wait = Assert.IsType<GateVerdict.Wait>(Assert.Single(answers.Now));
        Assert.Contains("a start gate failed (InvalidOperationException: boom)", wait.Reason);
        Assert.NotNull(wait.RetryIn);

        var later = new Answers();
        using var slowRunner = later.Runner(new Gate(_ => new ValueTask<GateVerdict>(ThrowLaterAsync())));
        slowRunner.Run(Spec, 0);
        await later.ArrivedAsync();
        Assert.Contains("a start gate failed (IOException: disk)", Assert.IsType<GateVerdict.Wait>(Assert.Single(later.Later).Verdict).Reason);
    }

    private static async Task<GateVerdict> ThrowLaterAsync()
    {
        await Task.Yield();
        throw new IOException("disk");
    }

    [Fact]
    public void WhatGatesShow_IsKept_FromEveryGateThatOpened()
    {
        var answers = new Answers();
        using var runner = answers.Runner(
            new Gate(_ => ValueTask.FromResult<GateVerdict>(new GateVerdict.Open(null, s => s with { StatusText = "a" }))),
            new Gate(_ => ValueTask.FromResult<GateVerdict>(new GateVerdict.Open("ok", s => s with { TelegramUsername = "b" }))));
        runner.Run(Spec, 0);
        var open = Assert.IsType<GateVerdict.Open>(Assert.Single(answers.Now));
        var shown = open.Shows!(new BotSnapshot { Id = "bot" });
        Assert.Equal("a", shown.StatusText);
        Assert.Equal("b", shown.TelegramUsername);
    }
}
