namespace Botvisor.Core.Supervision;

/// <summary>Everything needed to start one worker.</summary>
public sealed record SpawnRequest(
    IReadOnlyList<string> Argv,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment);
