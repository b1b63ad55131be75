using System.Text.Json;
using System.Text.Json.Serialization;
using Botvisor.Api.Contracts;

namespace Botvisor.Cli;

/// <summary>
/// What <c>botvisor status</c> and <c>ls</c> show of <c>GET /status</c> and <c>GET /bots</c>: the same
/// JSON read into just the columns of the table. Everything else (checks, commands of status, timestamps)
/// is skipped by the reader instead of being built into objects, which is most of the CLI's time with
/// 1,000 bots.
/// </summary>
internal sealed class StatusTable
{
    // Not `required`: a required member makes System.Text.Json buffer the whole object to call a constructor.
    public DaemonStatus Daemon { get; init; } = null!;
    public List<BotRow> Bots { get; init; } = [];
}

internal sealed class BotRow
{
    public string Id { get; init; } = "";
    public string State { get; init; } = "";
    public string Reason { get; init; } = "";
    public string Health { get; init; } = "unknown";
    public int? Pid { get; init; }
    public double? UptimeSeconds { get; init; }
    public int Restarts { get; init; }
    public RowExit? LastExit { get; init; }
    public string? Token { get; init; }
    public string? Username { get; init; }
    public int Conflicts { get; init; }
    public string? StatusText { get; init; }
    public RowResources? Resources { get; init; }
    public RowLimits? Limits { get; init; }
    public string Source { get; init; } = "";
    public List<string> Command { get; init; } = [];
}

internal sealed class RowExit
{
    public string Description { get; init; } = "";
}

internal sealed class RowResources
{
    public long RssBytes { get; init; }
    public double CpuPercent { get; init; }
}

internal sealed class RowLimits
{
    public long? MemoryMax { get; init; }
    public string? MemoryEnforcement { get; init; }
    public double? CpuMax { get; init; }
    public string? CpuEnforcement { get; init; }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(StatusTable))]
[JsonSerializable(typeof(List<BotRow>))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
