namespace Botvisor.Core.Cluster;

/// <summary>What a node may be called: 1–63 letters, digits, '-', '_' or '.', starting with a letter or digit (a host name fits).</summary>
public static class NodeNames
{
    public static string? Problem(string name)
    {
        if (name.Length is 0 or > 63) return "a node name has 1 to 63 characters";
        if (!char.IsAsciiLetterOrDigit(name[0])) return "a node name starts with a letter or a digit";
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) return $"a node name has only letters, digits, '-', '_' and '.' (not '{c}')";
        }
        return null;
    }

    /// <summary>The default name: the host's name (its first label), or "node" when it has none that fits.</summary>
    public static string Default()
    {
        string host = Environment.MachineName.Split('.')[0];
        return Problem(host) is null ? host : "node";
    }
}
