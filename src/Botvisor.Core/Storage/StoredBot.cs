namespace Botvisor.Core.Storage;

/// <summary>A bot added through the API, kept as the definition it was given (JSON or YAML).</summary>
public sealed record StoredBot(string Id, string Definition, DateTimeOffset UpdatedAt, string Actor);
