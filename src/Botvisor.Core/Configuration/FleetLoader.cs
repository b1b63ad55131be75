using Botvisor.Core.Validation;

namespace Botvisor.Core.Configuration;

/// <summary>Reads a fleet file and validates it: the one entry point for <c>run</c>, <c>validate</c> and reload.</summary>
public static class FleetLoader
{
    /// <param name="used">When given, every variable the file expanded, with its value (a cluster's fleet document carries them).</param>
    public static FleetLoadResult LoadAndValidate(string path, Func<string, string?>? environment = null, IDictionary<string, string>? used = null) =>
        Validate(FleetFileLoader.LoadFile(path, environment, used), path);

    /// <summary>Parses and validates a fleet definition given as text (a cluster's fleet document).</summary>
    public static FleetLoadResult ParseAndValidate(string text, string file, string baseDirectory, Func<string, string?> environment) =>
        Validate(FleetFileLoader.Parse(text, file, baseDirectory, environment), file);

    private static FleetLoadResult Validate(FleetLoadResult result, string path)
    {
        if (result.Fleet is null) return result;
        IReadOnlyList<FleetError> found;
        try
        {
            found = FleetValidator.Default.Validate(result.Fleet, result.Locations);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            found = [FleetFileLoader.InternalError(result.Fleet.SourcePath ?? path, ex)];
        }
        var errors = result.Errors.Concat(found)
            .OrderBy(e => e.Location?.Line ?? int.MaxValue).ThenBy(e => e.Location?.Column ?? 0)
            .ToList();
        return result with { Errors = errors };
    }
}
