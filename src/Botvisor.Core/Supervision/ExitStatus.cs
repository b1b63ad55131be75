using Botvisor.Core.Fleet;

namespace Botvisor.Core.Supervision;

/// <summary>How a worker ended: an exit code, or the signal that killed it.</summary>
public readonly record struct ExitStatus(int? ExitCode, int? Signal, bool CoreDumped = false)
{
    public static ExitStatus Exited(int code) => new(code, null);

    public static ExitStatus Killed(int signal, bool core = false) => new(null, signal, core);

    /// <summary>The shell's convention: the exit code, or 128 + signal.</summary>
    public int Code => ExitCode ?? 128 + (Signal ?? 0);

    public bool IsSuccess => ExitCode == 0;

    public override string ToString() => ExitCode is { } c
        ? $"exited with code {c}"
        : $"killed by {Signals.Name(Signal ?? 0)}{(CoreDumped ? " (core dumped)" : "")}";
}
