namespace Botvisor.Cli;

/// <summary>What <c>botvisor</c> exits with; scripts rely on these numbers.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int DaemonUnreachable = 3;
    public const int NotFound = 4;
}
