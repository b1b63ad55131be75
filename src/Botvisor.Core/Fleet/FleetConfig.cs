namespace Botvisor.Core.Fleet;

/// <summary>A whole fleet as one source describes it.</summary>
public sealed record FleetConfig
{
    public FleetDefaults Defaults { get; init; } = FleetDefaults.Empty;
    public IReadOnlyList<BotConfig> Bots { get; init; } = [];

    /// <summary>Absolute path of the file it was read from, or null.</summary>
    public string? SourcePath { get; init; }

    /// <summary>Directory that relative paths (cwd) are resolved against.</summary>
    public required string BaseDirectory { get; init; }

    /// <summary>The <c>state_dir:</c> setting, absolute, if the file has one.</summary>
    public string? StateDirectory { get; init; }
}
