namespace Botvisor.Core.Logs;

public enum LogStream
{
    Stdout,
    Stderr,
}
