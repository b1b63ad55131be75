namespace Botvisor.Core.Fleet;

/// <summary>
/// How long the event log keeps events: an event goes when it is older than <see cref="MaxAge"/> or
/// when more than <see cref="MaxCount"/> newer events exist (the fleet file's <c>events:</c>).
/// </summary>
public sealed record EventRetention
{
    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromDays(30);
    public const long DefaultMaxCount = 100_000;

    /// <summary>The built-in rule: 30 days, 100,000 events.</summary>
    public static readonly EventRetention Default = new();

    public TimeSpan MaxAge { get; init; } = DefaultMaxAge;
    public long MaxCount { get; init; } = DefaultMaxCount;

    /// <summary>Events stored before this time are past <see cref="MaxAge"/> at <paramref name="now"/>.</summary>
    public DateTimeOffset Cutoff(DateTimeOffset now) => now - MaxAge;

    /// <summary>Whether an event of <paramref name="eventTime"/>, with <paramref name="newer"/> events after it, is kept at <paramref name="now"/>.</summary>
    public bool Keeps(DateTimeOffset eventTime, long newer, DateTimeOffset now) => eventTime >= Cutoff(now) && newer < MaxCount;

    /// <summary>
    /// Parses <c>max_age</c>: whole days (<c>30d</c>) or a duration (<c>12h</c>, <c>90m</c>); at least a minute, at most ten years.
    /// </summary>
    public static bool TryParseMaxAge(string text, out TimeSpan value, out string? error)
    {
        value = default;
        var s = text.Trim();
        if (s.Length > 1 && s[^1] == 'd' && int.TryParse(s.AsSpan(0, s.Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int days))
        {
            value = TimeSpan.FromDays(days);
        }
        else if (!Configuration.DurationParser.TryParse(s, out value, out var durationError))
        {
            error = $"expected an age such as 30d, 12h or 90m ({durationError})";
            return false;
        }
        if (value < TimeSpan.FromMinutes(1) || value > TimeSpan.FromDays(3650))
        {
            error = "expected an age from 1m to 3650d, such as 30d";
            return false;
        }
        error = null;
        return true;
    }
}
