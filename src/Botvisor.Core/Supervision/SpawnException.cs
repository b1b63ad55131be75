namespace Botvisor.Core.Supervision;

/// <summary>The worker could not be started at all (program missing, not executable, bad directory…).</summary>
public sealed class SpawnException : Exception
{
    public SpawnException(string message, int errno) : base(message) => Errno = errno;

    public int Errno { get; }
}
