namespace Botvisor.Core.Logs;

/// <summary>One line a worker printed, stamped when the daemon read it. Tokens are already masked.</summary>
public sealed record LogLine(long Sequence, DateTimeOffset Time, LogStream Stream, string Text)
{
    public string StreamName => Stream == LogStream.Stdout ? "stdout" : "stderr";
}
