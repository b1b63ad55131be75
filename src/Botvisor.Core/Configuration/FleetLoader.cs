using Botvisor.Core.Validation;

namespace Botvisor.Core.Configuration;

/// <summary>Reads a fleet file and validates it: the one entry point for <c>run</c>, <c>validate</c> and reload.</summary>
public static class FleetLoader
{
    public static FleetLoadResult LoadAndValidate(string path, Func<string, string?>? environment = null)
    {
        var result = FleetFileLoader.LoadFile(path, environment);
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
