namespace Botvisor.Core.Configuration;

/// <summary>A fleet definition was rejected; <see cref="Errors"/> lists every problem found.</summary>
public sealed class FleetValidationException : Exception
{
    public FleetValidationException(IReadOnlyList<FleetError> errors)
        : base(FormatMessage(errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<FleetError> Errors { get; }

    private static string FormatMessage(IReadOnlyList<FleetError> errors) =>
        errors.Count == 1
            ? "The fleet definition is invalid: " + errors[0]
            : $"The fleet definition has {errors.Count} errors:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
}
