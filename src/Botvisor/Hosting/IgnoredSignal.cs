using System.Runtime.InteropServices;

namespace Botvisor.Hosting;

/// <summary>
/// A process started with a signal ignored (<c>nohup</c> ignores SIGHUP) keeps it ignored across
/// exec, and .NET respects that: <see cref="PosixSignalRegistration"/> then never sees the signal.
/// The daemon's SIGHUP means "reload", so it takes the signal back before registering for it, as
/// supervisord and nginx do. Workers are unaffected: they are spawned with every signal at its default.
/// </summary>
internal static unsafe partial class IgnoredSignal
{
    private const nint SIG_DFL = 0;
    private const nint SIG_IGN = 1;

    /// <summary>glibc's struct sigaction is 152 bytes on 64-bit; the handler is its first field.</summary>
    private const int SigActionSize = 256;

    [LibraryImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    private static partial int SigAction(int signal, void* action, void* previous);

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);

    /// <summary>
    /// Sets <paramref name="signal"/> back to its default disposition when it was ignored; returns
    /// whether it was. Call it right before registering a handler for the signal.
    /// </summary>
    public static bool Reclaim(int signal) => IsIgnored(signal) && Signal(signal, SIG_DFL) == SIG_IGN;

    /// <summary>Whether <paramref name="signal"/> is ignored by this process.</summary>
    private static bool IsIgnored(int signal)
    {
        byte* current = stackalloc byte[SigActionSize];
        return SigAction(signal, null, current) == 0 && *(nint*)current == SIG_IGN;
    }
}
