using System.Runtime.InteropServices;

namespace Botvisor.Core.Native;

/// <summary>The few libc calls process supervision needs. Linux/glibc only.</summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    public const int EINTR = 4;
    public const int ECHILD = 10;
    public const int ESRCH = 3;
    public const int EPERM = 1;
    public const int ENOENT = 2;

    public const int AF_UNIX = 1;
    public const int SOCK_STREAM = 1;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int O_RDONLY = 0;
    public const int O_DIRECTORY = 0x10000;
    public const int O_CLOEXEC = 0x80000;

    public const int P_ALL = 0;
    public const int P_PID = 1;
    public const int WEXITED = 4;
    public const int WNOHANG = 1;
    public const int WNOWAIT = 0x01000000;

    public const int CLD_EXITED = 1;
    public const int CLD_KILLED = 2;
    public const int CLD_DUMPED = 3;

    public const int PR_SET_CHILD_SUBREAPER = 36;
    public const int PR_GET_CHILD_SUBREAPER = 37;

    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;
    public const short POSIX_SPAWN_SETSID = 0x80;

    /// <summary>Large enough for glibc's posix_spawn_file_actions_t (80 bytes) and posix_spawnattr_t (336 bytes) on 64-bit.</summary>
    public const int OpaqueSize = 1024;

    /// <summary>sigset_t is 1024 bits in glibc.</summary>
    public const int SigSetSize = 128;

    [StructLayout(LayoutKind.Sequential)]
    public struct SigInfo
    {
        public int si_signo;
        public int si_errno;
        public int si_code;
        private int _pad;
        public int si_pid;
        public uint si_uid;
        public int si_status;
        private fixed byte _rest[100];
    }

    public const int AT_FDCWD = -100;
    public const uint STATX_TYPE = 0x1;
    public const uint STATX_SIZE = 0x200;
    public const int S_IFMT = 0xF000;
    public const int S_IFREG = 0x8000;
    public const int S_IFDIR = 0x4000;

    /// <summary>
    /// The start of <c>struct statx</c>, whose layout (unlike <c>struct stat</c>'s) is the same on every
    /// architecture; the kernel writes 256 bytes.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct Statx
    {
        [FieldOffset(0)] public uint stx_mask;
        [FieldOffset(28)] public ushort stx_mode;
        [FieldOffset(40)] public ulong stx_size;
    }

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statx(int dirfd, string path, int flags, uint mask, Statx* buffer);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int posix_spawn_file_actions_init(void* actions);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int posix_spawn_file_actions_destroy(void* actions);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newfd);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int posix_spawn_file_actions_addopen(void* actions, int fd, string path, int oflag, int mode);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int posix_spawn_file_actions_addchdir_np(void* actions, string path);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int posix_spawnattr_init(void* attr);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int posix_spawnattr_setsigmask(void* attr, void* sigmask);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int posix_spawnattr_setsigdefault(void* attr, void* sigdefault);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int sigemptyset(void* set);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int sigfillset(void* set);

    /// <summary>Returns an errno value (0 on success), not -1.</summary>
    [LibraryImport(Lib, SetLastError = false)]
    public static partial int posix_spawnp(out int pid, byte* file, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int socketpair(int domain, int type, int protocol, int* sv);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int pipe2(int* fds, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int waitid(int idtype, int id, SigInfo* infop, int options);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Lib)]
    public static partial int getpid();

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint strerror(int errnum);

    public const int SOL_SOCKET = 1;
    public const int SO_PASSCRED = 16;
    public const int SCM_CREDENTIALS = 2;
    public const int MSG_DONTWAIT = 0x40;
    public const int EAGAIN = 11;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint recvmsg(int fd, MsgHdr* msg, int flags);

    public static string ErrorText(int errno) => Marshal.PtrToStringUTF8(strerror(errno)) ?? $"errno {errno}";

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int getpgid(int pid);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int open(byte* path, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int openat(int dirfd, byte* path, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint pread(int fd, byte* buffer, nuint count, long offset);

    /// <summary>Reads directory entries as <c>struct linux_dirent64</c> records (glibc 2.30+).</summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint getdents64(int fd, byte* buffer, nuint count);

    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1;
    public const uint EPOLLIN = 0x001;
    public const int EFD_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800;

    /// <summary>
    /// <c>struct epoll_event</c>: a 32-bit event mask and 64 bits of user data, packed to 12 bytes on
    /// x86-64 (glibc's <c>__EPOLL_PACKED</c>) and naturally aligned to 16 elsewhere.
    /// </summary>
    public static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    public static readonly int EpollDataOffset = EpollEventSize - 8;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int epoll_ctl(int epfd, int op, int fd, byte* ev);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int epoll_wait(int epfd, byte* events, int maxevents, int timeout);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int eventfd(uint initval, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint write(int fd, byte* buffer, nuint count);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint getxattr(string path, string name, byte* value, nuint size);
}
