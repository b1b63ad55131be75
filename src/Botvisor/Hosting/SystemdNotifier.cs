using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Botvisor.Hosting;

/// <summary>
/// The daemon's own sd_notify to its service manager (a <c>Type=notify</c> unit): <c>READY=1</c> once the
/// fleet has been started and the API is bound, <c>STOPPING=1</c> when it begins stopping the bots, and
/// <c>WATCHDOG=1</c> every half <c>WatchdogSec</c>. Without <c>NOTIFY_SOCKET</c> it does nothing.
/// </summary>
/// <remarks>
/// The variables systemd set (<c>NOTIFY_SOCKET</c>, <c>WATCHDOG_USEC</c>, <c>WATCHDOG_PID</c>) are taken out
/// of the daemon's environment when it is read, so that no worker inherits them: a worker gets the
/// daemon's own notify socket, and the watchdog it has configured, if any.
/// (Microsoft.Extensions.Hosting.Systemd's <c>UseSystemd()</c> switches itself on only when the parent is
/// systemd, and sends no watchdog; this is the whole protocol the daemon needs, in a few lines.)
/// </remarks>
public sealed class SystemdNotifier : IDisposable
{
    private readonly string? _socket;
    private ITimer? _watchdog;

    private SystemdNotifier(string? socket, TimeSpan? watchdog)
    {
        _socket = socket;
        WatchdogInterval = watchdog;
    }

    public bool Enabled => _socket is not null;

    /// <summary>systemd's WatchdogSec for this process, if it has one.</summary>
    public TimeSpan? WatchdogInterval { get; }

    public static SystemdNotifier FromEnvironment()
    {
        var socket = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        foreach (var name in (string[])["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"]) Environment.SetEnvironmentVariable(name, null);
        TimeSpan? watchdog = null;
        if (long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out long us) && us > 0
            && (pid is null || pid == Environment.ProcessId.ToString(CultureInfo.InvariantCulture)))
        {
            watchdog = TimeSpan.FromMicroseconds(us);
        }
        return new SystemdNotifier(socket is { Length: > 1 } && (socket[0] == '/' || socket[0] == '@') ? socket : null, watchdog);
    }

    /// <summary>READY=1 (with a STATUS= line), and from now on WATCHDOG=1 at half the watchdog interval.</summary>
    public void Ready(string status)
    {
        Send($"READY=1\nSTATUS={status}\nMAINPID={Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}");
        if (Enabled && WatchdogInterval is { } interval && _watchdog is null)
        {
            var period = interval / 2;
            _watchdog = TimeProvider.System.CreateTimer(_ => Send("WATCHDOG=1"), null, TimeSpan.Zero, period);
        }
    }

    /// <summary>STOPPING=1: the manager then waits for the process to exit (TimeoutStopSec).</summary>
    public void Stopping(string status)
    {
        Send($"STOPPING=1\nSTATUS={status}");
    }

    /// <summary>Sends one datagram; a manager that went away is not the daemon's problem.</summary>
    public void Send(string message)
    {
        if (_socket is null) return;
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            var path = _socket[0] == '@' ? "\0" + _socket[1..] : _socket;
            socket.SendTo(Encoding.UTF8.GetBytes(message), new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
        }
    }

    public void Dispose()
    {
        _watchdog?.Dispose();
        _watchdog = null;
    }
}
