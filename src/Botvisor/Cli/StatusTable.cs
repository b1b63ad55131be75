using System.Text.Json;

namespace Botvisor.Cli;

/// <summary>
/// What <c>botvisor status</c> and <c>ls</c> show of <c>GET /status</c> and <c>GET /bots</c>: the same
/// JSON read into just the columns of the table by <see cref="StatusTableReader"/>. Everything else
/// (checks, timestamps, dependencies) is skipped instead of being built into objects.
/// </summary>
internal sealed class StatusTable
{
    public DaemonRow Daemon { get; set; } = new();
    public List<BotRow> Bots { get; } = [];
}

internal sealed class DaemonRow
{
    public int Pid { get; set; }
    public string Version { get; set; } = "";
    public double UptimeSeconds { get; set; }
    public string? Config { get; set; }
    public string StateDirectory { get; set; } = "";
    public int Bots { get; set; }
    public Dictionary<string, int> States { get; } = new(StringComparer.Ordinal);
    public string? Cgroups { get; set; }
}

internal sealed class BotRow
{
    public string Id { get; set; } = "";
    public string State { get; set; } = "";
    public string Reason { get; set; } = "";
    public string Health { get; set; } = "unknown";
    public int? Pid { get; set; }
    public double? UptimeSeconds { get; set; }
    public int Restarts { get; set; }
    public string? LastExit { get; set; }
    public string? Token { get; set; }
    public string? Username { get; set; }
    public int Conflicts { get; set; }
    public string? StatusText { get; set; }
    public (long RssBytes, double CpuPercent)? Resources { get; set; }
    public RowLimits? Limits { get; set; }
    public string Source { get; set; } = "";
    public List<string> Command { get; } = [];
}

internal sealed class RowLimits
{
    public long? MemoryMax { get; set; }
    public string? MemoryEnforcement { get; set; }
    public double? CpuMax { get; set; }
    public string? CpuEnforcement { get; set; }
}

/// <summary>
/// Reads the API's status JSON with one forward pass of <see cref="Utf8JsonReader"/>: for 1,000 bots
/// this is a fraction of what the serializer's first use costs a short-lived process (type metadata,
/// converters, constructor binding). Unknown properties are skipped, so a newer daemon still works.
/// </summary>
internal static class StatusTableReader
{
    private const int NameBuffer = 64;

    /// <summary>Where property names are unescaped; a name is matched before the next one is read.</summary>
    [ThreadStatic]
    private static char[]? s_names;

    public static StatusTable ReadStatus(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        var table = new StatusTable();
        Expect(ref reader, JsonTokenType.StartObject);
        while (NextProperty(ref reader, out var name))
        {
            if (name is "daemon") table.Daemon = ReadDaemon(ref reader);
            else if (name is "bots") ReadBots(ref reader, table.Bots);
            else reader.Skip();
        }
        return table;
    }

    public static List<BotRow> ReadBotList(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        var bots = new List<BotRow>();
        reader.Read();
        ReadBots(ref reader, bots);
        return bots;
    }

    private static DaemonRow ReadDaemon(ref Utf8JsonReader reader)
    {
        var d = new DaemonRow();
        Expect(ref reader, JsonTokenType.StartObject);
        while (NextProperty(ref reader, out var name))
        {
            switch (name)
            {
                case "pid": d.Pid = reader.GetInt32(); break;
                case "version": d.Version = reader.GetString() ?? ""; break;
                case "uptimeSeconds": d.UptimeSeconds = reader.GetDouble(); break;
                case "config": d.Config = reader.GetString(); break;
                case "stateDirectory": d.StateDirectory = reader.GetString() ?? ""; break;
                case "bots": d.Bots = reader.GetInt32(); break;
                case "cgroups": d.Cgroups = reader.GetString(); break;
                case "states":
                    Expect(ref reader, JsonTokenType.StartObject);
                    while (NextProperty(ref reader, out var state)) d.States[state.ToString()] = reader.GetInt32();
                    break;
                default: reader.Skip(); break;
            }
        }
        return d;
    }

    private static void ReadBots(ref Utf8JsonReader reader, List<BotRow> bots)
    {
        Expect(ref reader, JsonTokenType.StartArray);
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            bots.Add(ReadBot(ref reader));
        }
    }

    private static BotRow ReadBot(ref Utf8JsonReader reader)
    {
        var b = new BotRow();
        while (NextProperty(ref reader, out var name))
        {
            if (reader.TokenType == JsonTokenType.Null) continue;
            switch (name)
            {
                case "id": b.Id = reader.GetString()!; break;
                case "state": b.State = reader.GetString()!; break;
                case "reason": b.Reason = reader.GetString()!; break;
                case "health": b.Health = reader.GetString()!; break;
                case "pid": b.Pid = reader.GetInt32(); break;
                case "uptimeSeconds": b.UptimeSeconds = reader.GetDouble(); break;
                case "restarts": b.Restarts = reader.GetInt32(); break;
                case "token": b.Token = reader.GetString(); break;
                case "username": b.Username = reader.GetString(); break;
                case "conflicts": b.Conflicts = reader.GetInt32(); break;
                case "statusText": b.StatusText = reader.GetString(); break;
                case "source": b.Source = reader.GetString()!; break;
                case "lastExit": b.LastExit = ReadLastExit(ref reader); break;
                case "resources": b.Resources = ReadResources(ref reader); break;
                case "limits": b.Limits = ReadLimits(ref reader); break;
                case "command":
                    Expect(ref reader, JsonTokenType.StartArray);
                    while (reader.Read() && reader.TokenType == JsonTokenType.String) b.Command.Add(reader.GetString()!);
                    break;
                default: reader.Skip(); break;
            }
        }
        return b;
    }

    private static string? ReadLastExit(ref Utf8JsonReader reader)
    {
        string? description = null;
        Expect(ref reader, JsonTokenType.StartObject);
        while (NextProperty(ref reader, out var name))
        {
            if (name is "description") description = reader.GetString();
            else reader.Skip();
        }
        return description;
    }

    private static (long, double) ReadResources(ref Utf8JsonReader reader)
    {
        long rss = 0;
        double cpu = 0;
        Expect(ref reader, JsonTokenType.StartObject);
        while (NextProperty(ref reader, out var name))
        {
            if (name is "rssBytes") rss = reader.GetInt64();
            else if (name is "cpuPercent") cpu = reader.GetDouble();
            else reader.Skip();
        }
        return (rss, cpu);
    }

    private static RowLimits ReadLimits(ref Utf8JsonReader reader)
    {
        var l = new RowLimits();
        Expect(ref reader, JsonTokenType.StartObject);
        while (NextProperty(ref reader, out var name))
        {
            if (reader.TokenType == JsonTokenType.Null) continue;
            switch (name)
            {
                case "memoryMax": l.MemoryMax = reader.GetInt64(); break;
                case "memoryEnforcement": l.MemoryEnforcement = reader.GetString(); break;
                case "cpuMax": l.CpuMax = reader.GetDouble(); break;
                case "cpuEnforcement": l.CpuEnforcement = reader.GetString(); break;
                default: reader.Skip(); break;
            }
        }
        return l;
    }

    /// <summary>
    /// Moves to the next property's value and gives its name, unescaped into a reused buffer
    /// (no string per property: there are twenty per bot); false at the end of the object. A name
    /// longer than the buffer comes back empty, which no case matches, so its value is skipped.
    /// </summary>
    private static bool NextProperty(ref Utf8JsonReader reader, out ReadOnlySpan<char> name)
    {
        var buffer = s_names ??= new char[NameBuffer];
        name = default;
        if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName) return false;
        if (!reader.HasValueSequence && reader.ValueSpan.Length <= buffer.Length) name = buffer.AsSpan(0, reader.CopyString(buffer));
        reader.Read();
        return true;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (reader.TokenType != type && (!reader.Read() || reader.TokenType != type))
        {
            throw new JsonException($"unexpected {reader.TokenType} at byte {reader.TokenStartIndex} of the daemon's answer (expected {type})");
        }
    }
}
