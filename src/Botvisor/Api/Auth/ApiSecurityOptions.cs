namespace Botvisor.Api.Auth;

/// <summary>Who may use the API: named bearer tokens, and whether <c>/metrics</c> is open.</summary>
public sealed record ApiSecurityOptions
{
    /// <summary>Token name (used in the audit log) → secret.</summary>
    public IReadOnlyDictionary<string, string> Tokens { get; init; } = new Dictionary<string, string>();

    public bool PublicMetrics { get; init; }

    public bool RequiresToken => Tokens.Count > 0;
}
