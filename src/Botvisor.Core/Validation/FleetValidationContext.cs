using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;

namespace Botvisor.Core.Validation;

/// <summary>What validators see (the fleet and where each value was written) and where they report.</summary>
public sealed class FleetValidationContext
{
    private readonly List<FleetError> _errors = [];

    public FleetValidationContext(FleetConfig fleet, SourceMap locations)
    {
        Fleet = fleet;
        Locations = locations;
    }

    public FleetConfig Fleet { get; }
    public SourceMap Locations { get; }
    public IReadOnlyList<FleetError> Errors => _errors;

    public void Report(string path, string message, string? value = null) => _errors.Add(Locations.Error(path, message, value));
}
