namespace Botvisor.Core.Fleet;

/// <summary>
/// A secret that is not a bot token (a remote source's request header, say). A type rather than a
/// string so that it cannot reach a log line, an event or an API answer by accident: <see cref="ToString"/>
/// gives <c>****</c>; only <see cref="Reveal"/> gives the secret.
/// </summary>
public sealed class SecretText : IEquatable<SecretText>
{
    public const string Masked = "****";

    private readonly string _value;

    public SecretText(string value) => _value = value ?? throw new ArgumentNullException(nameof(value));

    /// <summary>The secret itself, for the request it authenticates only.</summary>
    public string Reveal() => _value;

    public override string ToString() => Masked;

    public bool Equals(SecretText? other) => other is not null && string.Equals(_value, other._value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as SecretText);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_value);
}
