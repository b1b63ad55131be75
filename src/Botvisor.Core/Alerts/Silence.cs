namespace Botvisor.Core.Alerts;

/// <summary>
/// Alerts kept quiet until <see cref="Until"/>: of one bot (or node, or source) or of every subject
/// (<c>*</c>), of one kind or of all. A silenced problem that still stands when the silence ends is told then.
/// </summary>
public sealed record Silence(string Target, AlertKind? Kind, DateTimeOffset Until, string By)
{
    public const string AnySubject = "*";

    public bool Matches(AlertKey key) => (Target == AnySubject || Target == key.Subject) && (Kind is null || Kind == key.Kind);

    /// <summary>"crashy", "kind restart_storm", "crashy (restart_storm)".</summary>
    public string Describe() => (Target, Kind) switch
    {
        (AnySubject, { } k) => $"kind {k.Name()}",
        (AnySubject, null) => "every alert",
        (var t, { } k) => $"{t} ({k.Name()})",
        (var t, null) => t,
    };

    /// <summary>
    /// Parses what a person writes after <c>/mute</c> or <c>botvisor mute</c>: a bot id, <c>kind:NAME</c>,
    /// <c>ID/NAME</c> (one kind of one bot) or <c>*</c>.
    /// </summary>
    public static bool TryParseTarget(string text, out string target, out AlertKind? kind, out string? error)
    {
        target = Silence.AnySubject;
        kind = null;
        error = null;
        var t = text.Trim();
        string? kindName = null;
        if (t.StartsWith("kind:", StringComparison.OrdinalIgnoreCase)) kindName = t[5..];
        else if (t.IndexOf('/', StringComparison.Ordinal) is var slash and > 0)
        {
            target = t[..slash];
            kindName = t[(slash + 1)..];
        }
        else target = t;
        if (target.Length == 0 || target.Length > 200 || target.Any(char.IsWhiteSpace))
        {
            error = $"'{text}' is not a bot id, kind:NAME or *";
            return false;
        }
        if (kindName is not null)
        {
            if (!AlertKinds.TryParse(kindName, out var k))
            {
                error = $"unknown alert kind '{kindName}'; use one of {string.Join(", ", AlertKinds.All.Select(a => a.Name()))}";
                return false;
            }
            kind = k;
        }
        return true;
    }
}
