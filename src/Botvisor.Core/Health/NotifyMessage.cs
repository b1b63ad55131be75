namespace Botvisor.Core.Health;

/// <summary>One sd_notify datagram: its fields (<c>READY=1</c>, <c>STATUS=…</c>) and the sender the kernel vouches for.</summary>
public sealed record NotifyMessage(int SenderPid, IReadOnlyDictionary<string, string> Fields)
{
    /// <summary>Parses newline-separated KEY=VALUE assignments, as sd_notify(3) defines them.</summary>
    public static NotifyMessage Parse(int senderPid, string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) fields[line[..eq]] = line[(eq + 1)..];
        }
        return new NotifyMessage(senderPid, fields);
    }
}
