namespace Botvisor.Core.Telegram;

/// <summary>
/// Recognises Telegram's answer to a second poller in a bot's output. Every client library prints
/// the API's description, so the text itself is the signal.
/// </summary>
public static class PollingConflict
{
    public const string Marker = "terminated by other getUpdates request";

    public static bool IsIn(string line) => line.Contains(Marker, StringComparison.OrdinalIgnoreCase);
}
