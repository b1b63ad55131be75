using System.Globalization;
using Botvisor.Core.State;
using Botvisor.Core.Supervision.Machine;

namespace Botvisor.Core.Health;

/// <summary>
/// What an sd_notify datagram means for a bot: fields that change its lifecycle become machine signals
/// (READY=1, WATCHDOG=1, WATCHDOG=trigger, WATCHDOG_USEC, EXTEND_TIMEOUT_USEC); the others only change
/// what its snapshot shows (STATUS, MAINPID, STOPPING=1).
/// </summary>
public static class NotifyTranslation
{
    public static IEnumerable<MachineSignal> Signals(NotifyMessage message)
    {
        foreach (var (key, value) in message.Fields)
        {
            switch (key)
            {
                case "READY" when value == "1":
                    yield return new MachineSignal.Ready(message.SenderPid);
                    break;
                case "WATCHDOG" when value == "1":
                    yield return new MachineSignal.WatchdogKicked();
                    break;
                case "WATCHDOG" when value == "trigger":
                    yield return new MachineSignal.Fault("watchdog", "watchdog triggered by the bot (WATCHDOG=trigger)");
                    break;
                case "WATCHDOG_USEC" when Micros(value) is > 0 and var usec:
                    yield return new MachineSignal.WatchdogChanged(Duration(usec));
                    break;
                case "EXTEND_TIMEOUT_USEC" when Micros(value) is { } extend:
                    yield return new MachineSignal.TimeoutExtended(Duration(extend));
                    break;
            }
        }
    }

    /// <summary>The snapshot changes of the message, if any.</summary>
    public static Func<BotSnapshot, BotSnapshot>? SnapshotChange(NotifyMessage message)
    {
        Func<BotSnapshot, BotSnapshot>? change = null;
        foreach (var (key, value) in message.Fields)
        {
            var previous = change ?? (s => s);
            switch (key)
            {
                case "STATUS":
                    change = s => previous(s) with { StatusText = value };
                    break;
                case "MAINPID" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var mainPid):
                    change = s => previous(s) with { MainPid = mainPid };
                    break;
                case "STOPPING" when value == "1":
                    change = s => previous(s) with { Ready = false };
                    break;
            }
        }
        return change;
    }

    /// <summary>
    /// The longest a bot may ask for: a worker's datagram must not be able to overflow a timer (the
    /// platform's longest is about 49 days) and so fault its supervisor.
    /// </summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(30);

    private static TimeSpan Duration(long micros) => micros >= (long)Longest.TotalMicroseconds ? Longest : TimeSpan.FromMicroseconds(micros);

    private static long? Micros(string value) => long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
}
