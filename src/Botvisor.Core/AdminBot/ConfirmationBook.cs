using System.Security.Cryptography;

namespace Botvisor.Core.AdminBot;

/// <summary>An action waiting for its button: who asked, in which chat, what, until when.</summary>
public sealed record PendingConfirmation(string Nonce, long UserId, long ChatId, string Action, string BotId, DateTimeOffset ExpiresAt);

/// <summary>
/// The admin bot's confirmation buttons. Each is a random nonce bound to the person who asked and to one
/// action; it works once, for that person only, and not after it expires. Pure apart from the nonce's
/// randomness: the time comes in with each call.
/// </summary>
public sealed class ConfirmationBook
{
    /// <summary>The <c>callback_data</c> prefixes of the two buttons (Telegram allows 64 bytes).</summary>
    public const string ConfirmPrefix = "ok:";
    public const string CancelPrefix = "no:";

    private readonly Dictionary<string, PendingConfirmation> _pending = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public PendingConfirmation Add(long userId, long chatId, string action, string botId, DateTimeOffset expiresAt)
    {
        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
        var pending = new PendingConfirmation(nonce, userId, chatId, action, botId, expiresAt);
        lock (_gate)
        {
            _pending[nonce] = pending;
            foreach (var old in _pending.Values.Where(p => p.ExpiresAt < expiresAt - TimeSpan.FromHours(1)).ToList()) _pending.Remove(old.Nonce);
        }
        return pending;
    }

    public enum Outcome
    {
        Confirmed,
        Cancelled,
        Expired,
        Unknown,
        NotYours,
    }

    /// <summary>
    /// A button was pressed. A pending action is taken out (used once) when it is confirmed, cancelled or
    /// found expired; a press by someone else leaves it for its owner.
    /// </summary>
    public (Outcome Outcome, PendingConfirmation? Pending) Press(string callbackData, long userId, DateTimeOffset now)
    {
        bool confirm = callbackData.StartsWith(ConfirmPrefix, StringComparison.Ordinal);
        if (!confirm && !callbackData.StartsWith(CancelPrefix, StringComparison.Ordinal)) return (Outcome.Unknown, null);
        var nonce = callbackData[ConfirmPrefix.Length..];
        lock (_gate)
        {
            if (!_pending.TryGetValue(nonce, out var p)) return (Outcome.Unknown, null);
            if (p.UserId != userId) return (Outcome.NotYours, p);
            _pending.Remove(nonce);
            if (now >= p.ExpiresAt) return (Outcome.Expired, p);
            return (confirm ? Outcome.Confirmed : Outcome.Cancelled, p);
        }
    }
}
