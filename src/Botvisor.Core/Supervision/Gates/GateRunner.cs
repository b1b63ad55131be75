using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;
using Botvisor.Core.Supervision.Machine;

namespace Botvisor.Core.Supervision.Gates;

/// <summary>
/// Asks one bot's start gates, in order. While they answer at once, the answer is handed back at once
/// (<see cref="_now"/>: the machine's next step, so a restart nothing holds up spawns in the same step);
/// a gate that needs I/O is awaited aside and its answer comes back later (<see cref="_later"/>),
/// tagged with the run's generation, so a run that was cancelled or replaced changes nothing. Used by
/// one supervisor's loop only.
/// </summary>
internal sealed class GateRunner(IReadOnlyList<IStartGate> gates, Action<GateVerdict> now, Action<long, GateVerdict> later, Action<long> changed) : IDisposable
{
    /// <summary>How long a gate that failed (a bug, not an answer) holds the start before it is asked again.</summary>
    private static readonly TimeSpan FailedRetry = TimeSpan.FromSeconds(5);

    private readonly Action<GateVerdict> _now = now;
    private readonly Action<long, GateVerdict> _later = later;
    private CancellationTokenSource? _run;

    /// <summary>The current run; answers of any other are stale.</summary>
    public long Generation { get; private set; }

    public void Run(BotSpec spec, int attempt)
    {
        Cancel();
        long generation = ++Generation;
        var open = new GateVerdict.Open(null);
        var token = (_run = new CancellationTokenSource()).Token;
        for (int i = 0; i < gates.Count; i++)
        {
            var answer = Ask(gates[i], spec, attempt, token);
            if (!answer.IsCompletedSuccessfully)
            {
                _now(new GateVerdict.Checking(open.Reason is { } why ? $"{why}; {gates[i].Doing}" : gates[i].Doing));
                _ = ContinueAsync(generation, i, answer, open, spec, attempt, token);
                return;
            }
            if (!Passed(answer.Result, ref open, generation, gates[i], spec, aside: false, token)) return;
        }
        _now(open);
    }

    /// <summary>Forgets the run in progress: its answers, now or later, change nothing.</summary>
    public void Cancel()
    {
        Generation++;
        if (_run is { } run)
        {
            _run = null;
            run.Cancel();
            run.Dispose();
        }
    }

    public void Dispose() => Cancel();

    private static ValueTask<GateVerdict> Ask(IStartGate gate, BotSpec spec, int attempt, CancellationToken token)
    {
        try
        {
            return gate.AskAsync(spec, attempt, token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ValueTask.FromResult(Failed(ex));
        }
    }

    private async Task ContinueAsync(long generation, int from, ValueTask<GateVerdict> pending, GateVerdict.Open open, BotSpec spec, int attempt, CancellationToken token)
    {
        try
        {
            var verdict = await pending.ConfigureAwait(false);
            if (!Passed(verdict, ref open, generation, gates[from], spec, aside: true, token)) return;
            for (int i = from + 1; i < gates.Count; i++)
            {
                verdict = await Ask(gates[i], spec, attempt, token).ConfigureAwait(false);
                if (!Passed(verdict, ref open, generation, gates[i], spec, aside: true, token)) return;
            }
            _later(generation, open);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _later(generation, Failed(ex));
        }
    }

    /// <summary>A gate that failed holds the start and is asked again, as a wait with a retry.</summary>
    private static GateVerdict Failed(Exception ex) =>
        new GateVerdict.Wait($"a start gate failed ({ex.GetType().Name}: {ex.Message}); trying again in {DurationParser.Format(FailedRetry)}", FailedRetry);

    /// <summary>Whether the gate opened; if not, its answer is delivered (and a "wait until something changes" is watched).</summary>
    private bool Passed(GateVerdict verdict, ref GateVerdict.Open open, long generation, IStartGate gate, BotSpec spec, bool aside, CancellationToken token)
    {
        if (verdict is GateVerdict.Open opened)
        {
            // The last gate that says why it opened gives the reason; what each shows is kept.
            var shows = (open.Shows, opened.Shows) switch
            {
                (null, var b) => b,
                (var a, null) => a,
                (var a, var b) => s => b(a(s)),
            };
            open = new GateVerdict.Open(opened.Reason ?? open.Reason, shows);
            return true;
        }
        if (aside) _later(generation, verdict);
        else _now(verdict);
        if (verdict is GateVerdict.Wait { RetryIn: null })
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await gate.WhenChangedAsync(spec, token).ConfigureAwait(false);
                    changed(generation);
                }
                catch (OperationCanceledException)
                {
                }
            }, token);
        }
        return false;
    }
}
