using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Botvisor.Core.Native;
using Botvisor.Core.Supervision;

namespace Botvisor.Core.Health;

/// <summary>
/// The daemon's <c>NOTIFY_SOCKET</c>: a Unix datagram socket (a path, and an abstract <c>@</c> name)
/// that speaks systemd's sd_notify protocol. Each datagram is attributed by the kernel's credentials
/// (SO_PASSCRED / SCM_CREDENTIALS), never by what it says: the sender's pid → its session → the bot
/// whose worker leads that session. A datagram from a process of no bot is dropped.
/// </summary>
/// <remarks>
/// One socket serves every bot, as systemd's does. It waits for datagrams with a zero-byte peek
/// (the runtime's epoll engine, no thread), then reads each with <c>recvmsg</c> to get its credentials.
/// </remarks>
public sealed class NotifySocket : IDisposable
{
    private const int MaxDatagram = 4096;
    private readonly List<Socket> _sockets = [];
    private readonly Func<int, Action<NotifyMessage>?> _routeBySession;
    private readonly CancellationTokenSource _stop = new();

    /// <param name="path">Filesystem path of the socket (given to workers as NOTIFY_SOCKET).</param>
    /// <param name="abstractName">Also listen on this abstract name (without the leading '@'), if not null.</param>
    /// <param name="routeBySession">The handler for the bot whose worker leads the given session id, or null.</param>
    public NotifySocket(string path, string? abstractName, Func<int, Action<NotifyMessage>?> routeBySession)
    {
        Path = path;
        AbstractName = abstractName;
        _routeBySession = routeBySession;
        if (File.Exists(path)) File.Delete(path);
        _sockets.Add(Open(new UnixDomainSocketEndPoint(path)));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
        if (abstractName is not null) _sockets.Add(Open(new UnixDomainSocketEndPoint("\0" + abstractName)));
        foreach (var s in _sockets) _ = ReceiveLoopAsync(s);
    }

    public string Path { get; }
    public string? AbstractName { get; }

    private static Socket Open(UnixDomainSocketEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.SetRawSocketOption(LibC.SOL_SOCKET, LibC.SO_PASSCRED, BitConverter.GetBytes(1));
        socket.Bind(endPoint);
        return socket;
    }

    private async Task ReceiveLoopAsync(Socket socket)
    {
        var buffer = new byte[MaxDatagram];
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.Peek, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested) return;
                continue;
            }
            while (TryReceive(socket, buffer, out int length, out int pid))
            {
                if (pid <= 0) continue;
                Dispatch(NotifyMessage.Parse(pid, Encoding.UTF8.GetString(buffer, 0, length)));
            }
        }
    }

    private void Dispatch(NotifyMessage message)
    {
        var stat = ProcStat.Read(message.SenderPid);
        if (stat is null) return; // the sender is gone; nothing to attribute it to
        _routeBySession(stat.Value.Session)?.Invoke(message);
    }

    private static unsafe bool TryReceive(Socket socket, byte[] buffer, out int length, out int pid)
    {
        length = 0;
        pid = 0;
        byte* control = stackalloc byte[64];
        fixed (byte* data = buffer)
        {
            var iov = new LibC.IoVec { Base = data, Length = (nuint)buffer.Length };
            var msg = new LibC.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = 64 };
            nint n = LibC.recvmsg((int)socket.Handle, &msg, LibC.MSG_DONTWAIT);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                return errno == LibC.EINTR;
            }
            length = (int)n;
            // struct cmsghdr { size_t len; int level; int type; } then struct ucred { pid_t pid; uid_t uid; gid_t gid; }
            if (msg.ControlLength >= 16 + 12)
            {
                int level = *(int*)(control + 8);
                int type = *(int*)(control + 12);
                if (level == LibC.SOL_SOCKET && type == LibC.SCM_CREDENTIALS) pid = *(int*)(control + 16);
            }
            return true;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var s in _sockets) s.Dispose();
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
        }
        _stop.Dispose();
    }
}
