namespace Botvisor.Core.Health;

/// <summary>Runs one HTTP probe (the daemon implements it; the core knows no HTTP).</summary>
public interface IHttpProbe
{
    Task<ProbeResult> ProbeAsync(string url, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>A probe's outcome: success, or the error that a restart will name as its reason.</summary>
public sealed record ProbeResult(bool Success, string Message);
