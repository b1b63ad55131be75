namespace Botvisor.Core.Fleet;

/// <summary>
/// A Telegram bot token. It is a type, not a string, so that it cannot reach a log line by accident:
/// <see cref="ToString"/> gives the masked form <c>123456:****</c>; only <see cref="Reveal"/> gives the secret.
/// </summary>
public sealed class BotToken : IEquatable<BotToken>
{
    private readonly string _value;

    public BotToken(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        _value = value;
    }

    /// <summary>The secret itself, for the worker's environment and Telegram calls only.</summary>
    public string Reveal() => _value;

    /// <summary>The numeric bot id before the colon, if the token has the usual shape.</summary>
    public string? BotId
    {
        get
        {
            int colon = _value.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 && _value.AsSpan(0, colon).IndexOfAnyExceptInRange('0', '9') < 0 ? _value[..colon] : null;
        }
    }

    public string Masked => Mask(_value);

    public override string ToString() => Masked;

    public static string Mask(string token)
    {
        int colon = token.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? string.Concat(token.AsSpan(0, colon), ":****") : "****";
    }

    public bool Equals(BotToken? other) => other is not null && string.Equals(_value, other._value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as BotToken);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_value);
}
