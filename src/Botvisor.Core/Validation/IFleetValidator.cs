namespace Botvisor.Core.Validation;

/// <summary>One family of rules over a fleet. Every validator runs; none stops the others.</summary>
public interface IFleetValidator
{
    string Name { get; }

    void Validate(FleetValidationContext context);
}
