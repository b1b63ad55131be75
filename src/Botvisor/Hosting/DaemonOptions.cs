namespace Botvisor.Hosting;

/// <summary>How <c>botvisor run</c> was asked to run.</summary>
public sealed record DaemonOptions
{
    public required string ConfigPath { get; init; }
    public required string StateDirectory { get; init; }
    public string LogFormat { get; init; } = "text";

    public string DatabasePath => Path.Combine(StateDirectory, "botvisor.db");
    public string LogDirectory => Path.Combine(StateDirectory, "logs");
}
