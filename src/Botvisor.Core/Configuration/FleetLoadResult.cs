using Botvisor.Core.Fleet;

namespace Botvisor.Core.Configuration;

/// <summary>What reading a fleet definition gave: the fleet (when it could be built) and every error found.</summary>
public sealed record FleetLoadResult(FleetConfig? Fleet, IReadOnlyList<FleetError> Errors, SourceMap Locations)
{
    public bool Succeeded => Fleet is not null && Errors.Count == 0;

    /// <summary>The text read, when it came from a file.</summary>
    public string? Text { get; init; }
}

/// <summary>Where each value of a fleet definition was written, keyed by path (<c>bots.echo.token</c>).</summary>
public sealed class SourceMap
{
    private readonly Dictionary<string, SourceLocation> _locations = new(StringComparer.Ordinal);

    public SourceMap(string? file) => File = file;

    public string? File { get; }

    public void Add(string path, SourceLocation location) => _locations[path] = location;

    public SourceLocation? Find(string path)
    {
        // Fall back to the closest enclosing path that has a location.
        for (var p = path; p.Length > 0;)
        {
            if (_locations.TryGetValue(p, out var loc)) return loc;
            int dot = p.LastIndexOf('.');
            if (dot < 0) break;
            p = p[..dot];
        }
        return null;
    }

    public FleetError Error(string path, string message, string? value = null) =>
        new(path, message) { File = File, Location = Find(path), Value = value };
}
