using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;

namespace Botvisor.Core.Validation;

/// <summary>Runs every <see cref="IFleetValidator"/> over a fleet and returns all their errors together.</summary>
public sealed class FleetValidator
{
    private readonly IReadOnlyList<IFleetValidator> _validators;

    public FleetValidator(IEnumerable<IFleetValidator> validators) => _validators = validators.ToList();

    /// <summary>The standard rule set.</summary>
    public static FleetValidator Default { get; } = new(
    [
        new BotIdValidator(),
        new CommandValidator(),
        new AccountValidator(),
        new RestartValidator(),
        new TokenValidator(),
        new DependencyValidator(),
        new GatewayValidator(),

        new AdminValidator(),
    ]);

    public IReadOnlyList<FleetError> Validate(FleetConfig fleet, SourceMap? locations = null)
    {
        var context = new FleetValidationContext(fleet, locations ?? new SourceMap(fleet.SourcePath));
        foreach (var validator in _validators) validator.Validate(context);
        return context.Errors;
    }
}
