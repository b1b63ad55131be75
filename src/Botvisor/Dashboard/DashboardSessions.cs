using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Botvisor.Dashboard;

/// <summary>
/// The web dashboard's sessions and one-time login codes, in memory (a restart of the daemon signs
/// everyone out). A session is made by a login with an API token or by a one-time code that
/// <c>botvisor ui</c> asked for on the local socket; it acts as the identity that made it
/// (<c>token:NAME</c>, <c>unix:USER</c>) and carries its own CSRF token. A cookie or code is a split
/// token, <c>KEY.SECRET</c>: the key (96 random bits) finds the entry, the secret (256 bits) is compared
/// in constant time, so no lookup's timing depends on a secret. (No hash: the daemon never loads OpenSSL.)
/// </summary>
public sealed class DashboardSessions(TimeProvider time)
{
    /// <summary>How long a session lasts from its login (no sliding renewal: a stolen cookie stops working).</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(12);

    /// <summary>How long a one-time login link may wait to be opened.</summary>
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(2);

    /// <summary>At most this many live sessions (and as many unused codes); the oldest goes first.</summary>
    public const int MaxSessions = 1000;

    private readonly ConcurrentDictionary<string, DashboardSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingCode> _codes = new(StringComparer.Ordinal);

    private sealed record PendingCode(string Actor, DateTimeOffset ExpiresAt, string Secret);

    public int Count => _sessions.Count;

    /// <summary>Starts a session for <paramref name="actor"/>; returns it with the cookie value (shown once, stored only hashed).</summary>
    public (DashboardSession Session, string CookieValue) Create(string actor)
    {
        var now = time.GetUtcNow();
        Prune(_sessions, s => s.ExpiresAt, now);
        var (key, secret) = (NewKey(), NewSecret());
        var session = new DashboardSession(actor, NewSecret(), now, now + SessionLifetime, key, secret);
        _sessions[key] = session;
        return (session, key + "." + secret);
    }

    /// <summary>The live session a cookie names, or null (unknown, expired or signed out).</summary>
    public DashboardSession? Find(string? cookieValue)
    {
        if (!Split(cookieValue, out var key, out var secret)) return null;
        if (!_sessions.TryGetValue(key, out var session) || !SecretEquals(secret, session.Secret)) return null;
        if (session.ExpiresAt > time.GetUtcNow()) return session;
        _sessions.TryRemove(session.Key, out _);
        return null;
    }

    public void End(DashboardSession session) => _sessions.TryRemove(session.Key, out _);

    /// <summary>A one-time code that signs in as <paramref name="actor"/> within <see cref="CodeLifetime"/>.</summary>
    public (string Code, DateTimeOffset ExpiresAt) CreateCode(string actor)
    {
        var now = time.GetUtcNow();
        Prune(_codes, c => c.ExpiresAt, now);
        var (key, secret) = (NewKey(), NewSecret());
        var expires = now + CodeLifetime;
        _codes[key] = new PendingCode(actor, expires, secret);
        return (key + "." + secret, expires);
    }

    /// <summary>Spends a one-time code: the actor it was made for, or null (unknown, used or expired).</summary>
    public string? Redeem(string? code)
    {
        if (!Split(code, out var key, out var secret)) return null;
        if (!_codes.TryGetValue(key, out var pending) || !SecretEquals(secret, pending.Secret)) return null;
        if (!_codes.TryRemove(KeyValuePair.Create(key, pending))) return null; // spent by a concurrent request
        return pending.ExpiresAt > time.GetUtcNow() ? pending.Actor : null;
    }

    private static void Prune<T>(ConcurrentDictionary<string, T> items, Func<T, DateTimeOffset> expires, DateTimeOffset now)
    {
        foreach (var (key, item) in items)
        {
            if (expires(item) <= now) items.TryRemove(key, out _);
        }
        while (items.Count >= MaxSessions)
        {
            var oldest = items.MinBy(kv => expires(kv.Value));
            items.TryRemove(oldest.Key, out _);
        }
    }

    private static string NewKey() => Base64Url(RandomNumberGenerator.GetBytes(12));

    private static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static bool Split(string? value, out string key, out string secret)
    {
        (key, secret) = ("", "");
        if (string.IsNullOrEmpty(value) || value.Length > 128) return false;
        int dot = value.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == value.Length - 1) return false;
        (key, secret) = (value[..dot], value[(dot + 1)..]);
        return true;
    }

    internal static bool SecretEquals(string? presented, string expected) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>A signed-in browser: who it acts as, its CSRF token, when it ends.</summary>
public sealed record DashboardSession(string Actor, string CsrfToken, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string Key, string Secret)
{
    /// <summary>Whether <paramref name="presented"/> is this session's CSRF token (constant time).</summary>
    public bool CsrfMatches(string? presented) => DashboardSessions.SecretEquals(presented, CsrfToken);

    public override string ToString() => $"session of {Actor} until {ExpiresAt:u}"; // never the secrets
}
