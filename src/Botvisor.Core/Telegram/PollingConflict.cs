using System.Buffers;

namespace Botvisor.Core.Telegram;

/// <summary>
/// Recognises Telegram's answer to a second poller in a bot's output. Every client library prints
/// the API's description, so the text itself is the signal.
/// </summary>
public static class PollingConflict
{
    public const string Marker = "terminated by other getUpdates request";

    /// <summary>Every line a bot prints is searched: a vectorized multi-string search, not a per-call case-insensitive scan.</summary>
    private static readonly SearchValues<string> Search = SearchValues.Create([Marker], StringComparison.OrdinalIgnoreCase);

    public static bool IsIn(string line) => line.AsSpan().ContainsAny(Search);
}
