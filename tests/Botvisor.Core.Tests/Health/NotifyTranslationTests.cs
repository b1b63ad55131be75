using Botvisor.Core.Health;
using Botvisor.Core.State;
using Botvisor.Core.Supervision.Machine;

namespace Botvisor.Core.Tests.Health;

/// <summary>
/// What an sd_notify datagram means, without a process: the machine's rows then decide
/// (<c>BotMachineTests</c>: start timeout, watchdog, EXTEND_TIMEOUT_USEC while starting or stopping).
/// </summary>
public class NotifyTranslationTests
{
    private static NotifyMessage Message(params (string Key, string Value)[] fields) =>
        new(42, fields.ToDictionary(f => f.Key, f => f.Value));

    [Fact]
    public void LifecycleFields_BecomeMachineSignals()
    {
        var signals = NotifyTranslation.Signals(Message(("READY", "1"), ("WATCHDOG", "1"), ("WATCHDOG_USEC", "2500000"), ("EXTEND_TIMEOUT_USEC", "20000000"))).ToList();
        Assert.Contains(new MachineSignal.Ready(42), signals);
        Assert.Contains(signals, s => s is MachineSignal.WatchdogKicked);
        Assert.Contains(new MachineSignal.WatchdogChanged(TimeSpan.FromSeconds(2.5)), signals);
        Assert.Contains(new MachineSignal.TimeoutExtended(TimeSpan.FromSeconds(20)), signals);
    }

    /// <summary>A bot must not be able to fault its supervisor with a timer no platform can arm.</summary>
    [Fact]
    public void HugeDurations_AreCapped()
    {
        var signals = NotifyTranslation.Signals(Message(("WATCHDOG_USEC", long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("EXTEND_TIMEOUT_USEC", "9223372036854775806"))).ToList();
        Assert.Contains(new MachineSignal.WatchdogChanged(NotifyTranslation.Longest), signals);
        Assert.Contains(new MachineSignal.TimeoutExtended(NotifyTranslation.Longest), signals);
        using var timer = TimeProvider.System.CreateTimer(_ => { }, null, NotifyTranslation.Longest, Timeout.InfiniteTimeSpan);
    }

    [Fact]
    public void WatchdogTrigger_IsAFault()
    {
        var signal = Assert.Single(NotifyTranslation.Signals(Message(("WATCHDOG", "trigger"))));
        Assert.Equal(new MachineSignal.Fault("watchdog", "watchdog triggered by the bot (WATCHDOG=trigger)"), signal);
    }

    [Theory]
    [InlineData("READY", "0")]
    [InlineData("WATCHDOG_USEC", "0")]
    [InlineData("WATCHDOG_USEC", "-5")]
    [InlineData("WATCHDOG_USEC", "abc")]
    [InlineData("EXTEND_TIMEOUT_USEC", "99999999999999999999")]
    [InlineData("ERRNO", "2")]
    public void OtherOrBadValues_SignalNothing(string key, string value) =>
        Assert.Empty(NotifyTranslation.Signals(Message((key, value))));

    [Fact]
    public void DisplayFields_ChangeOnlyTheSnapshot()
    {
        var change = NotifyTranslation.SnapshotChange(Message(("STATUS", "polling"), ("MAINPID", "77"), ("STOPPING", "1")))!;
        var after = change(new BotSnapshot { Id = "b", Ready = true });
        Assert.Equal("polling", after.StatusText);
        Assert.Equal(77, after.MainPid);
        Assert.False(after.Ready);
        Assert.Null(NotifyTranslation.SnapshotChange(Message(("READY", "1"))));
    }
}
