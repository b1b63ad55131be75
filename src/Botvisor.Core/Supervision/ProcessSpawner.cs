using System.Runtime.InteropServices;
using System.Text;
using Botvisor.Core.Native;

namespace Botvisor.Core.Supervision;

/// <summary>
/// Starts workers with <c>posix_spawnp</c> and <c>POSIX_SPAWN_SETSID</c>.
/// </summary>
/// <remarks>
/// Why this way and not <see cref="System.Diagnostics.Process"/> with a <c>setsid</c> wrapper:
/// <list type="bullet">
/// <item><c>POSIX_SPAWN_SETSID</c> puts the worker in a new session, so its pid is its process group id
/// and its session id: stopping the bot signals the whole group (<c>kill(-pid)</c>), and re-parented
/// orphans can be matched to their bot by session id. No extra exec of a wrapper program.</item>
/// <item>The daemon reaps its own children (it is a subreaper and must reap orphans anyway, see
/// <see cref="ChildReaper"/>); <c>Process</c> would reap behind our back.</item>
/// <item>Signal dispositions and mask are reset to the defaults in the child (the .NET runtime
/// ignores SIGPIPE, which a worker must not inherit).</item>
/// <item>stdout and stderr are <c>AF_UNIX</c> stream sockets, as systemd gives its services for the
/// journal: the daemon's ends go to the <see cref="Logs.OutputReader"/>, one epoll loop for every
/// worker's output, so a thousand workers cost no threads.</item>
/// <item>glibc implements <c>posix_spawn</c> with <c>clone(CLONE_VM|CLONE_VFORK)</c>: cheap even
/// from a large daemon, and it reports exec failures (ENOENT, EACCES) as a return value.</item>
/// </list>
/// </remarks>
public static unsafe class ProcessSpawner
{
    /// <summary>Spawns the worker, registered with <paramref name="reaper"/> under its lock so its exit always reaches <paramref name="onExit"/>.</summary>
    public static SpawnedProcess Spawn(SpawnRequest request, ChildReaper reaper, Action<int, ExitStatus> onExit)
    {
        int* outPair = stackalloc int[2];
        int* errPair = stackalloc int[2];
        if (LibC.socketpair(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0, outPair) != 0)
        {
            throw new SpawnException("socketpair failed: " + LibC.ErrorText(Marshal.GetLastPInvokeError()), Marshal.GetLastPInvokeError());
        }
        if (LibC.socketpair(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0, errPair) != 0)
        {
            int e = Marshal.GetLastPInvokeError();
            LibC.close(outPair[0]);
            LibC.close(outPair[1]);
            throw new SpawnException("socketpair failed: " + LibC.ErrorText(e), e);
        }

        int pid;
        int childOut = outPair[1], childErr = errPair[1];
        try
        {
            pid = reaper.SpawnAndRegister(() => SpawnCore(request, -1, childOut, childErr), onExit);
        }
        catch
        {
            LibC.close(outPair[0]);
            LibC.close(errPair[0]);
            throw;
        }
        finally
        {
            LibC.close(childOut);
            LibC.close(childErr);
        }

        return new SpawnedProcess(pid, outPair[0], errPair[0]);
    }

    /// <summary>
    /// Spawns a helper of the daemon (in a session of its own, reaped by <paramref name="reaper"/>) whose stdin is the
    /// read end of a pipe and whose stdout and stderr are the daemon's. Returns its pid and the pipe's write end,
    /// close-on-exec (no worker inherits it): when the daemon closes it, or dies, the helper reads EOF.
    /// </summary>
    public static (int Pid, Microsoft.Win32.SafeHandles.SafeFileHandle Writer) SpawnWithStdinPipe(SpawnRequest request, ChildReaper reaper, Action<int, ExitStatus> onExit)
    {
        int* pipe = stackalloc int[2];
        if (LibC.pipe2(pipe, LibC.O_CLOEXEC) != 0)
        {
            int e = Marshal.GetLastPInvokeError();
            throw new SpawnException("pipe2 failed: " + LibC.ErrorText(e), e);
        }
        int reader = pipe[0], writer = pipe[1];
        try
        {
            int pid = reaper.SpawnAndRegister(() => SpawnCore(request, reader, -1, -1), onExit);
            return (pid, new Microsoft.Win32.SafeHandles.SafeFileHandle(writer, ownsHandle: true));
        }
        catch
        {
            LibC.close(writer);
            throw;
        }
        finally
        {
            LibC.close(reader);
        }
    }

    /// <summary>A negative <paramref name="stdinFd"/> is /dev/null; negative <paramref name="stdoutFd"/>, <paramref name="stderrFd"/> are the daemon's own.</summary>
    private static int SpawnCore(SpawnRequest request, int stdinFd, int stdoutFd, int stderrFd)
    {
        byte* actions = stackalloc byte[LibC.OpaqueSize];
        byte* attr = stackalloc byte[LibC.OpaqueSize];
        byte* emptySet = stackalloc byte[LibC.SigSetSize];
        byte* fullSet = stackalloc byte[LibC.SigSetSize];
        new Span<byte>(actions, LibC.OpaqueSize).Clear();
        new Span<byte>(attr, LibC.OpaqueSize).Clear();

        var envList = request.Environment.Select(kv => kv.Key + "=" + kv.Value).ToList();
        using var argv = new NativeStringArray(request.Argv);
        using var envp = new NativeStringArray(envList);

        Check(LibC.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
        Check(LibC.posix_spawnattr_init(attr), "posix_spawnattr_init");
        try
        {
            Check(LibC.posix_spawn_file_actions_addchdir_np(actions, request.WorkingDirectory), "addchdir");
            if (stdinFd >= 0) Check(LibC.posix_spawn_file_actions_adddup2(actions, stdinFd, 0), "adddup2");
            else Check(LibC.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", LibC.O_RDONLY, 0), "addopen");
            if (stdoutFd >= 0) Check(LibC.posix_spawn_file_actions_adddup2(actions, stdoutFd, 1), "adddup2");
            if (stderrFd >= 0) Check(LibC.posix_spawn_file_actions_adddup2(actions, stderrFd, 2), "adddup2");

            LibC.sigemptyset(emptySet);
            LibC.sigfillset(fullSet);
            Check(LibC.posix_spawnattr_setsigmask(attr, emptySet), "setsigmask");
            Check(LibC.posix_spawnattr_setsigdefault(attr, fullSet), "setsigdefault");
            Check(LibC.posix_spawnattr_setflags(attr, (short)(LibC.POSIX_SPAWN_SETSID | LibC.POSIX_SPAWN_SETSIGMASK | LibC.POSIX_SPAWN_SETSIGDEF)), "setflags");

            int rc = LibC.posix_spawnp(out int pid, argv.Pointers[0], actions, attr, argv.Pointers, envp.Pointers);
            if (rc != 0)
            {
                string what = rc switch
                {
                    LibC.ENOENT => Directory.Exists(request.WorkingDirectory)
                        ? $"program not found: {request.Argv[0]}"
                        : $"working directory not found: {request.WorkingDirectory}",
                    13 => $"permission denied: {request.Argv[0]}",
                    _ => LibC.ErrorText(rc),
                };
                throw new SpawnException("cannot start the worker: " + what, rc);
            }
            return pid;
        }
        finally
        {
            LibC.posix_spawn_file_actions_destroy(actions);
            LibC.posix_spawnattr_destroy(attr);
        }
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0) throw new SpawnException($"{what} failed: {LibC.ErrorText(rc)}", rc);
    }

    /// <summary>A NULL-terminated array of NUL-terminated UTF-8 strings in native memory.</summary>
    private sealed class NativeStringArray : IDisposable
    {
        private readonly byte* _block;

        public NativeStringArray(IReadOnlyList<string> items)
        {
            int bytes = 0;
            foreach (var s in items) bytes += Encoding.UTF8.GetByteCount(s) + 1;
            Pointers = (byte**)NativeMemory.Alloc((nuint)(sizeof(byte*) * (items.Count + 1)));
            _block = (byte*)NativeMemory.Alloc((nuint)Math.Max(bytes, 1));
            byte* p = _block;
            for (int i = 0; i < items.Count; i++)
            {
                Pointers[i] = p;
                int n = Encoding.UTF8.GetBytes(items[i], new Span<byte>(p, bytes - (int)(p - _block)));
                p[n] = 0;
                p += n + 1;
            }
            Pointers[items.Count] = null;
        }

        public byte** Pointers { get; }

        public void Dispose()
        {
            NativeMemory.Free(Pointers);
            NativeMemory.Free(_block);
        }
    }
}

/// <summary>A started worker: its pid (also its process group and session id) and the daemon's ends of its stdout and stderr, which the caller owns.</summary>
public readonly record struct SpawnedProcess(int Pid, int StdoutFd, int StderrFd);
