using Botvisor.Core.Fleet;
using Botvisor.Core.State;
using Botvisor.Core.Supervision;
using Botvisor.Core.Supervision.Machine;
using E = Botvisor.Core.Supervision.Machine.MachineEffect;
using S = Botvisor.Core.Supervision.Machine.MachineSignal;

namespace Botvisor.Core.Tests.Supervision;

/// <summary>
/// The rows of <see cref="BotMachine"/>'s table, one behaviour each, with time given by the test: no
/// process, no clock, no thread.
/// </summary>
public class BotMachineTests
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static BotSpec Spec(Func<BotSpec, BotSpec>? change = null)
    {
        var spec = new BotSpec
        {
            Id = "bot",
            Command = ["sleep", "1000"],
            WorkingDirectory = "/",
            Restart = RestartPolicy.OnFailure,
            Backoff = new BackoffSettings(TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(30), 0),
            MaxRestarts = 3,
            MinUptime = TimeSpan.FromSeconds(30),
            StopTimeout = TimeSpan.FromSeconds(10),
        };
        return change is null ? spec : change(spec);
    }

    /// <summary>One bot's machine driven by a test: steps at a time the test moves.</summary>
    private sealed class Bot(BotSpec spec)
    {
        public BotMachineState State { get; private set; } = BotMachineState.Initial(spec);
        public TimeSpan Now { get; private set; }
        public IReadOnlyList<MachineEffect> Effects { get; private set; } = [];
        public List<(BotLifecycleState State, string Reason)> Transitions { get; } = [];

        public Bot Step(MachineSignal signal)
        {
            (State, Effects) = BotMachine.Step(State, signal, new MachineTime(Now, Epoch + Now, 0.5));
            Transitions.AddRange(Effects.OfType<E.SetState>().Select(s => (s.State, s.Reason)));
            return this;
        }

        public Bot After(TimeSpan elapsed)
        {
            Now += elapsed;
            return this;
        }

        public BotLifecycleState Public => State.State;
        public T Effect<T>() where T : MachineEffect => Effects.OfType<T>().Single();
        public bool Has<T>() where T : MachineEffect => Effects.OfType<T>().Any();

        /// <summary>Start, gates open, spawned: the bot is up with worker <paramref name="pid"/>.</summary>
        public Bot Up(int pid = 100)
        {
            Step(new S.Start("test"));
            Step(new S.GateAnswered(new GateVerdict.Open(null)));
            return Step(new S.Spawned(pid, HasCgroup: false));
        }
    }

    /// <summary>The snapshot a bot's effects so far would publish, from a blank one with a pid.</summary>
    private static BotSnapshot Shown(Bot bot) =>
        bot.Effects.Aggregate(new BotSnapshot { Id = "bot", Pid = 100 }, (s, e) => e switch
        {
            E.Publish p => p.Change(s),
            E.SetState st => st.More is null ? s with { State = st.State } : st.More(s with { State = st.State }),
            _ => s,
        });

    [Fact]
    public void Start_AsksTheGates_WithoutPublishing_ThenOpenSpawns()
    {
        var bot = new Bot(Spec()).Step(new S.Start("daemon started"));
        Assert.IsType<BotPhase.Gating>(bot.State.Phase);
        Assert.Equal(Wish.Run, bot.State.Wish);
        Assert.Equal(0, bot.Effect<E.RunGates>().Attempt);
        Assert.False(bot.Has<E.SetState>()); // gates without I/O answer in the same step: nothing to show yet

        bot.Step(new S.GateAnswered(new GateVerdict.Open(null)));
        Assert.Equal((BotLifecycleState.Starting, "daemon started"), bot.Transitions.Single());
        Assert.IsType<E.Spawn>(bot.Effects[^1]); // the spawn is the step's last effect

        bot.Step(new S.Spawned(100, HasCgroup: false));
        Assert.Equal(BotLifecycleState.Running, bot.Public);
        Assert.True(bot.Has<E.StartMonitors>());
        Assert.Equal("worker started (pid 100)", bot.Transitions[^1].Reason);
    }

    [Fact]
    public void ReadyNotify_StartingUntilReady_StartTimeoutIsAFault()
    {
        var bot = new Bot(Spec(s => s with { Ready = ReadyMode.Notify, StartTimeout = TimeSpan.FromSeconds(5) })).Up();
        Assert.Equal(BotLifecycleState.Starting, bot.Public);
        Assert.Equal(TimeSpan.FromSeconds(5), bot.Effect<E.ArmDeadline>().After);

        bot.After(TimeSpan.FromSeconds(5)).Step(new S.DeadlineReached(GroupAlive: true));
        Assert.Equal(BotLifecycleState.Stopping, bot.Public);
        Assert.Equal(StopCause.Crashed, ((BotPhase.Stopping)bot.State.Phase).Cause);
        Assert.Contains(bot.Effects, e => e is E.SetCheck { Name: "notify", Healthy: false });

        bot.Step(new S.ChildExited(ExitStatus.Killed(Signals.SIGTERM), GroupAlive: false));
        Assert.Equal(BotLifecycleState.Backoff, bot.Public);
        Assert.StartsWith("start timeout: no READY=1 within 5s", bot.Transitions[^1].Reason);
    }

    [Fact]
    public void ReadyNotify_Ready_MakesItRunning_AndArmsTheWatchdog()
    {
        var bot = new Bot(Spec(s => s with { Ready = ReadyMode.Notify, Watchdog = TimeSpan.FromSeconds(3) })).Up();
        bot.Step(new S.Ready(100));
        Assert.Equal(BotLifecycleState.Running, bot.Public);
        Assert.Equal(TimeSpan.FromSeconds(3), bot.Effect<E.ArmDeadline>().After);
    }

    [Fact]
    public void Watchdog_KickRearms_SilenceIsAFault()
    {
        var bot = new Bot(Spec(s => s with { Watchdog = TimeSpan.FromSeconds(3) })).Up();
        bot.After(TimeSpan.FromSeconds(2)).Step(new S.WatchdogKicked());
        Assert.Equal(TimeSpan.FromSeconds(3), bot.Effect<E.ArmDeadline>().After);

        bot.After(TimeSpan.FromSeconds(3)).Step(new S.DeadlineReached(GroupAlive: true));
        Assert.Equal(BotLifecycleState.Stopping, bot.Public);
        Assert.Equal("watchdog timeout: no WATCHDOG=1 within 3s", bot.Transitions[^1].Reason);
        Assert.Equal(Signals.SIGTERM, bot.Effect<E.SignalGroup>().Signal);
    }

    [Fact]
    public void WatchdogUsec_FromTheBot_ReplacesTheInterval()
    {
        var bot = new Bot(Spec(s => s with { Watchdog = TimeSpan.FromSeconds(3) })).Up();
        bot.Step(new S.WatchdogChanged(TimeSpan.FromSeconds(7)));
        Assert.Equal(TimeSpan.FromSeconds(7), bot.Effect<E.ArmDeadline>().After);
        bot.Step(new S.WatchdogKicked());
        Assert.Equal(TimeSpan.FromSeconds(7), bot.Effect<E.ArmDeadline>().After);
    }

    [Fact]
    public void Crash_GroupGone_AppliesThePolicy_WithBackoff()
    {
        var bot = new Bot(Spec()).Up();
        bot.After(TimeSpan.FromSeconds(2)).Step(new S.ChildExited(ExitStatus.Exited(2), GroupAlive: false));
        Assert.Equal(BotLifecycleState.Backoff, bot.Public);
        Assert.Equal(1, bot.State.ConsecutiveFailures);
        Assert.Equal(TimeSpan.FromSeconds(1), bot.Effect<E.ArmDeadline>().After); // jitter 0, random 0.5
        Assert.Contains(bot.Effects, e => e is E.ReleaseWorker { Pid: 100 });
        Assert.Contains(bot.Effects, e => e is E.LogExited { Pid: 100 });

        bot.After(TimeSpan.FromSeconds(1)).Step(new S.DeadlineReached(GroupAlive: false));
        Assert.IsType<BotPhase.Gating>(bot.State.Phase);
        Assert.True(bot.Has<E.RunGates>());
    }

    [Fact]
    public void Crash_GroupLeftBehind_IsEndedBeforeTheRestart()
    {
        var bot = new Bot(Spec()).Up();
        bot.After(TimeSpan.FromSeconds(2)).Step(new S.ChildExited(ExitStatus.Exited(1), GroupAlive: true));
        Assert.Equal(BotLifecycleState.Stopping, bot.Public);
        Assert.Equal(Signals.SIGTERM, bot.Effect<E.SignalGroup>().Signal);
        Assert.False(bot.Has<E.ReleaseWorker>());

        bot.Step(new S.GroupChecked(GroupAlive: true));
        Assert.Equal(BotLifecycleState.Stopping, bot.Public);
        bot.Step(new S.GroupChecked(GroupAlive: false));
        Assert.Equal(BotLifecycleState.Backoff, bot.Public);
    }

    [Fact]
    public void RestartBudget_IsSpent_ThenFailed()
    {
        var bot = new Bot(Spec()).Up();
        for (int i = 1; i <= 3; i++)
        {
            bot.After(TimeSpan.FromSeconds(1)).Step(new S.ChildExited(ExitStatus.Exited(1), GroupAlive: false));
            Assert.Equal(BotLifecycleState.Backoff, bot.Public);
            Assert.Equal(i, bot.State.ConsecutiveFailures);
            bot.After(TimeSpan.FromMinutes(1)).Step(new S.DeadlineReached(false));
            bot.Step(new S.GateAnswered(new GateVerdict.Open(null))).Step(new S.Spawned(100 + i, false));
        }
        bot.After(TimeSpan.FromSeconds(1)).Step(new S.ChildExited(ExitStatus.Exited(1), GroupAlive: false));
        Assert.Equal(BotLifecycleState.Failed, bot.Public);
        Assert.StartsWith("gave up after 3 restarts", bot.Transitions[^1].Reason);
        Assert.Equal(3, bot.State.Restarts);
    }

    [Fact]
    public void MinUptime_AStableRun_ResetsTheCount()
    {
        var bot = new Bot(Spec()).Up();
        bot.After(TimeSpan.FromSeconds(1)).Step(new S.ChildExited(ExitStatus.Exited(1), false));
        bot.After(TimeSpan.FromSeconds(1)).Step(new S.DeadlineReached(false)).Step(new S.GateAnswered(new GateVerdict.Open(null))).Step(new S.Spawned(101, false));
        bot.After(TimeSpan.FromMinutes(5)).Step(new S.ChildExited(ExitStatus.Exited(1), false));
        Assert.Equal(1, bot.State.ConsecutiveFailures); // the 5-minute run reset it, this crash counts one
    }

    [Fact]
    public void OnFailure_CleanExit_IsStopped_Never_FailureIsFailed()
    {
        var clean = new Bot(Spec()).Up().After(TimeSpan.FromSeconds(1)).Step(new S.ChildExited(ExitStatus.Exited(0), false));
        Assert.Equal(BotLifecycleState.Stopped, clean.Public);

        var never = new Bot(Spec(s => s with { Restart = RestartPolicy.Never })).Up().After(TimeSpan.FromSeconds(1)).Step(new S.ChildExited(ExitStatus.Exited(3), false));
        Assert.Equal(BotLifecycleState.Failed, never.Public);
    }

    [Fact]
    public void Stop_WhileUp_SignalsThenKillsAfterStopTimeout_ThenStopped()
    {
        var bot = new Bot(Spec()).Up().Step(new S.Stop("asked"));
        Assert.Equal(Wish.Stop, bot.State.Wish);
        Assert.Equal(BotLifecycleState.Stopping, bot.Public);
        Assert.Equal(TimeSpan.FromSeconds(10), bot.Effect<E.ArmDeadline>().After);

        bot.After(TimeSpan.FromSeconds(10)).Step(new S.DeadlineReached(GroupAlive: true));
        Assert.True(bot.Has<E.KillGroup>());
        Assert.Equal(BotMachine.LingerCheck, bot.Effect<E.ArmDeadline>().After);

        bot.Step(new S.ChildExited(ExitStatus.Killed(Signals.SIGKILL), GroupAlive: false));
        Assert.Equal(BotLifecycleState.Stopped, bot.Public);
        Assert.Equal("asked; worker killed by SIGKILL", bot.Transitions[^1].Reason);
    }

    [Fact]
    public void Stop_AGroupThatOutlivesSigkill_IsKilledAgain()
    {
        var bot = new Bot(Spec()).Up().Step(new S.Stop("asked"));
        bot.After(TimeSpan.FromSeconds(10)).Step(new S.DeadlineReached(true));
        bot.Step(new S.ChildExited(ExitStatus.Killed(Signals.SIGKILL), GroupAlive: true));
        bot.After(BotMachine.LingerCheck).Step(new S.DeadlineReached(GroupAlive: true));
        Assert.True(bot.Has<E.LogLingering>());
        Assert.True(bot.Has<E.KillGroup>());
        Assert.Equal(BotLifecycleState.Stopping, bot.Public);
    }

    [Fact]
    public void StopSignalSigkill_KillsAtOnce()
    {
        var bot = new Bot(Spec(s => s with { StopSignal = Signals.SIGKILL })).Up().Step(new S.Stop("asked"));
        Assert.True(bot.Has<E.KillGroup>());
        Assert.False(bot.Has<E.SignalGroup>());
    }

    [Fact]
    public void Stop_DuringStart_CancelsTheGates()
    {
        var bot = new Bot(Spec()).Step(new S.Start("go")).Step(new S.GateAnswered(new GateVerdict.Checking("checking the token with getMe")));
        Assert.Equal((BotLifecycleState.Starting, "go; checking the token with getMe"), bot.Transitions[^1]);
        bot.Step(new S.Stop("asked"));
        Assert.Equal(BotLifecycleState.Stopped, bot.Public);
        Assert.True(bot.Has<E.CancelGates>());

        bot.Step(new S.GateAnswered(new GateVerdict.Open("late"))); // a late answer starts nothing
        Assert.Empty(bot.Effects);
        Assert.Equal(BotLifecycleState.Stopped, bot.Public);
    }

    [Fact]
    public void Stop_DuringBackoff_Disarms_AndStops()
    {
        var bot = new Bot(Spec()).Up().After(TimeSpan.FromSeconds(1)).Step(new S.ChildExited(ExitStatus.Exited(1), false));
        bot.Step(new S.Stop("asked"));
        Assert.Equal(BotLifecycleState.Stopped, bot.Public);
        Assert.True(bot.Has<E.Disarm>());
        bot.Step(new S.DeadlineReached(false));
        Assert.Empty(bot.Effects);
    }

    [Fact]
    public void Crash_WhileStopping_FollowsTheStop_NotThePolicy()
    {
        var bot = new Bot(Spec()).Up().Step(new S.Stop("asked"));
        bot.Step(new S.ChildExited(ExitStatus.Exited(1), GroupAlive: false));
        Assert.Equal(BotLifecycleState.Stopped, bot.Public);
        Assert.Equal(0, bot.State.ConsecutiveFailures);
    }

    [Fact]
    public void Restart_WhileUp_StopsThenStartsAgain_WithoutSpendingTheBudget()
    {
        var bot = new Bot(Spec()).Up().Step(new S.Restart("asked"));
        Assert.Equal(BotLifecycleState.Stopping, bot.Public);
        bot.Step(new S.ChildExited(ExitStatus.Killed(Signals.SIGTERM), GroupAlive: false));
        Assert.IsType<BotPhase.Gating>(bot.State.Phase);
        Assert.Equal(0, bot.State.ConsecutiveFailures);
        bot.Step(new S.GateAnswered(new GateVerdict.Open(null))).Step(new S.Spawned(101, false));
        Assert.Equal(1, bot.State.Restarts);
    }

    [Fact]
    public void Start_WhileStoppingForACrash_StartsOnceTheGroupEnded()
    {
        var bot = new Bot(Spec()).Up().Step(new S.ChildExited(ExitStatus.Exited(1), GroupAlive: true));
        bot.Step(new S.Stop("asked")).Step(new S.Start("asked again"));
        Assert.Equal(StopCause.Requested, ((BotPhase.Stopping)bot.State.Phase).Cause);
        bot.Step(new S.GroupChecked(GroupAlive: false));
        Assert.IsType<BotPhase.Gating>(bot.State.Phase);
    }

    [Fact]
    public void Remove_WhileUp_StopsThenExits()
    {
        var bot = new Bot(Spec()).Up().Step(new S.Remove("removed"));
        Assert.Equal(Wish.Exit, bot.State.Wish);
        bot.Step(new S.Start("too late")); // a removed bot is not started again
        Assert.Equal(Wish.Exit, bot.State.Wish);
        bot.Step(new S.ChildExited(ExitStatus.Killed(Signals.SIGTERM), false));
        Assert.Equal(BotLifecycleState.Stopped, bot.Public);
        Assert.True(bot.Has<E.Exit>());
    }

    [Fact]
    public void Remove_WhenIdle_ExitsAtOnce_AFailedBotStaysFailed()
    {
        var failed = new Bot(Spec(s => s with { Restart = RestartPolicy.Never })).Up().After(TimeSpan.FromSeconds(1)).Step(new S.ChildExited(ExitStatus.Exited(1), false));
        failed.Step(new S.Remove("removed"));
        Assert.Equal(BotLifecycleState.Failed, failed.Public);
        Assert.True(failed.Has<E.Exit>());
    }

    [Fact]
    public void Fault_FromAMonitor_CountsAsAFailure_WhateverTheExitCode()
    {
        var bot = new Bot(Spec()).Up().Step(new S.Fault("http", "liveness probe failed 3 times: HTTP 500"));
        Assert.Contains(bot.Effects, e => e is E.SetCheck { Name: "http", Healthy: false });
        bot.Step(new S.ChildExited(ExitStatus.Exited(0), GroupAlive: false));
        Assert.Equal(BotLifecycleState.Backoff, bot.Public);
        Assert.StartsWith("liveness probe failed 3 times: HTTP 500; worker exited with code 0; restart 1 of 3", bot.Transitions[^1].Reason);
    }

    [Fact]
    public void OomKill_IsTheCause()
    {
        var bot = new Bot(Spec(s => s with { MemoryMax = 256L << 20 })).Up();
        bot.Step(new S.ChildExited(ExitStatus.Killed(Signals.SIGKILL), GroupAlive: false, OomCause: "memory limit 256 MiB exceeded (…)"));
        Assert.True(bot.Has<E.LogMemoryLimit>());
        Assert.Contains(bot.Effects, e => e is E.SetCheck { Name: "memory", Healthy: false });
        Assert.StartsWith("memory limit 256 MiB exceeded (…); worker killed by SIGKILL", bot.Transitions[^1].Reason);
    }

    [Fact]
    public void TokenRejected_WhileUp_EndsInFailed()
    {
        var bot = new Bot(Spec()).Up().Step(new S.TokenRejected("token rejected", "token rejected; not restarting"));
        Assert.Equal(BotLifecycleState.Stopping, bot.Public);
        bot.Step(new S.ChildExited(ExitStatus.Killed(Signals.SIGTERM), false));
        Assert.Equal((BotLifecycleState.Failed, "token rejected; not restarting"), bot.Transitions[^1]);
    }

    [Fact]
    public void Gate_Refuses_Failed_Waits_WithRetry_WithoutSpendingTheBudget()
    {
        var refused = new Bot(Spec()).Step(new S.Start("go")).Step(new S.GateAnswered(new GateVerdict.Refuse("token rejected")));
        Assert.Equal((BotLifecycleState.Failed, "token rejected"), refused.Transitions[^1]);

        var waiting = new Bot(Spec()).Step(new S.Start("go")).Step(new S.GateAnswered(new GateVerdict.Wait("Bot API unreachable", TimeSpan.FromSeconds(2))));
        Assert.Equal((BotLifecycleState.Waiting, "Bot API unreachable"), waiting.Transitions[^1]);
        Assert.Equal(TimeSpan.FromSeconds(2), waiting.Effect<E.ArmDeadline>().After);
        waiting.After(TimeSpan.FromSeconds(2)).Step(new S.DeadlineReached(false));
        Assert.Equal(1, waiting.Effect<E.RunGates>().Attempt);
        Assert.Equal(0, waiting.State.ConsecutiveFailures);
        waiting.Step(new S.GateAnswered(new GateVerdict.Open("token accepted"))).Step(new S.Spawned(100, false));
        Assert.Equal(0, waiting.State.GateAttempts);
    }

    [Fact]
    public void GateClosed_WhileUp_StopsAndAsksAgain_WithoutSpendingTheBudget()
    {
        var bot = new Bot(Spec()).Up().Step(new S.GateClosed("lease lost"));
        Assert.Equal((BotLifecycleState.Stopping, "lease lost"), bot.Transitions[^1]);
        bot.Step(new S.ChildExited(ExitStatus.Killed(Signals.SIGTERM), false));
        Assert.True(bot.Has<E.RunGates>());
        Assert.Equal(0, bot.State.ConsecutiveFailures);
        bot.Step(new S.GateAnswered(new GateVerdict.Wait("lease held by node b", null)));
        Assert.Equal(BotLifecycleState.Waiting, bot.Public);
        // The ended worker's pid was cleared when its group ended: a waiting bot shows none.
        Assert.Null(Shown(new BotMachineTests.Bot(Spec()).Up().Step(new S.Restart("r")).Step(new S.ChildExited(ExitStatus.Killed(Signals.SIGTERM), false))).Pid);
    }

    [Fact]
    public void Update_WhileWaitingForADependency_AsksTheGatesAgain()
    {
        var bot = new Bot(Spec(s => s with { DependsOn = ["db"] })).Step(new S.Start("go"))
            .Step(new S.GateAnswered(new GateVerdict.Wait("waiting for db to be running", null)));
        Assert.Equal(BotLifecycleState.Waiting, bot.Public);

        bot.Step(new S.Update(Spec(s => s with { DependsOn = [] }), "configuration changed"));
        Assert.True(bot.Has<E.CancelGates>());
        Assert.True(bot.Has<E.RunGates>());
        bot.Step(new S.GateAnswered(new GateVerdict.Open(null)));
        Assert.IsType<E.Spawn>(bot.Effects[^1]);
    }

    [Fact]
    public void Update_Unchanged_TouchesNothing_Changed_RestartsTheWorker()
    {
        var bot = new Bot(Spec()).Up().Step(new S.Update(Spec(), "reload"));
        Assert.Equal(BotLifecycleState.Running, bot.Public);
        Assert.Single(bot.Effects); // ApplySpec

        bot.Step(new S.Update(Spec(s => s with { Env = new Dictionary<string, string> { ["A"] = "1" } }), "reload"));
        Assert.Equal(BotLifecycleState.Stopping, bot.Public);
    }

    [Fact]
    public void SpawnFailure_IsAFailedRun()
    {
        var bot = new Bot(Spec()).Step(new S.Start("go")).Step(new S.GateAnswered(new GateVerdict.Open(null)))
            .Step(new S.SpawnFailed("cannot start the worker: No such file or directory"));
        Assert.Equal(BotLifecycleState.Backoff, bot.Public);
        Assert.StartsWith("cannot start the worker: No such file or directory; worker exited with code 127", bot.Transitions[^1].Reason);
    }

    [Fact]
    public void ExtendTimeout_WhileStarting_OrStoppingBeforeTheKill()
    {
        var bot = new Bot(Spec(s => s with { Ready = ReadyMode.Notify })).Up().Step(new S.TimeoutExtended(TimeSpan.FromSeconds(40)));
        Assert.Equal(TimeSpan.FromSeconds(40), bot.Effect<E.ArmDeadline>().After);
        bot.Step(new S.Stop("asked")).Step(new S.TimeoutExtended(TimeSpan.FromSeconds(20)));
        Assert.Equal(TimeSpan.FromSeconds(20), bot.Effect<E.ArmDeadline>().After);
    }

    /// <summary>A definition fixed while its bot stops for a rejected token (or a crash on its last restart) starts the new one.</summary>
    [Fact]
    public void Update_WhileStoppingForARefusal_StartsTheNewDefinition_WithAFreshBudget()
    {
        var bot = new Bot(Spec()).Up().Step(new S.TokenRejected("token rejected", "token rejected; not restarting"));
        bot.Step(new S.Update(Spec(s => s with { Token = new BotToken("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw") }), "reload"));
        bot.Step(new S.ChildExited(ExitStatus.Killed(Signals.SIGTERM), GroupAlive: false));
        Assert.IsType<BotPhase.Gating>(bot.State.Phase);
        Assert.Equal(0, bot.State.ConsecutiveFailures);
    }

    [Fact]
    public void Update_WhileStoppingOnRequest_KeepsTheStop()
    {
        var bot = new Bot(Spec()).Up().Step(new S.Stop("asked"));
        bot.Step(new S.Update(Spec(s => s with { MaxRestarts = 9 }), "reload"));
        bot.Step(new S.ChildExited(ExitStatus.Killed(Signals.SIGTERM), GroupAlive: false));
        Assert.Equal(BotLifecycleState.Stopped, bot.Public);
    }

    /// <summary>A failed bot is not revived by a reload or a source's fetch that leaves it as it was; a changed definition starts it.</summary>
    [Fact]
    public void Failed_StaysFailedOnAnUnchangedUpdate_AChangedDefinitionStartsItWithAFreshBudget()
    {
        var bot = new Bot(Spec()).Up().Step(new S.TokenRejected("token rejected", "token rejected; not restarting"))
            .Step(new S.ChildExited(ExitStatus.Killed(Signals.SIGTERM), GroupAlive: false));
        Assert.Equal(BotLifecycleState.Failed, bot.Public);

        bot.Step(new S.Update(Spec(), "source sensay"));
        Assert.Equal(BotLifecycleState.Failed, bot.Public);
        Assert.False(bot.Has<E.RunGates>());

        bot.Step(new S.Update(Spec(s => s with { Token = new BotToken("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw") }), "source sensay"));
        Assert.IsType<BotPhase.Gating>(bot.State.Phase);
        Assert.True(bot.Has<E.RunGates>());
        Assert.Equal(0, bot.State.ConsecutiveFailures);
    }

    /// <summary>A bot stopped on request stays stopped when its definition changes.</summary>
    [Fact]
    public void Stopped_StaysStoppedWhenItsDefinitionChanges()
    {
        var bot = new Bot(Spec()).Up().Step(new S.Stop("asked")).Step(new S.ChildExited(ExitStatus.Killed(Signals.SIGTERM), GroupAlive: false));
        bot.Step(new S.Update(Spec(s => s with { MaxRestarts = 9 }), "reload"));
        Assert.Equal(BotLifecycleState.Stopped, bot.Public);
    }
}
