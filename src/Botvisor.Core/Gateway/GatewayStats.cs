using System.Collections.Concurrent;

namespace Botvisor.Core.Gateway;

/// <summary>
/// What a bot did through the gateway: calls, errors, 429s and time per Bot API method, updates
/// delivered, and its last getUpdates. Only the Bot API's own method names (<see cref="BotApiMethods"/>,
/// spelt as the Bot API spells them) and <c>file</c> (downloads) are kept apart; any other name is
/// counted under <c>other</c>, so a worker calling made-up methods cannot grow it.
/// </summary>
public sealed class GatewayStats(TimeProvider time)
{
    public const string Other = "other";
    public const string File = "file";

    private readonly ConcurrentDictionary<string, MethodCounters> _methods = new(StringComparer.Ordinal);
    private long _updates;
    private long _lastPollUnixMs;
    private long _lastCallUnixMs;

    public long UpdatesDelivered => Interlocked.Read(ref _updates);

    /// <summary>When the bot's last getUpdates was answered; null before the first.</summary>
    public DateTimeOffset? LastPoll => Interlocked.Read(ref _lastPollUnixMs) is var ms and > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    /// <summary>When the bot's last call of any method was answered; null before the first.</summary>
    public DateTimeOffset? LastCall => Interlocked.Read(ref _lastCallUnixMs) is var ms and > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    /// <summary>One call was answered with <paramref name="status"/> (502/504 when Telegram could not be reached) after <paramref name="elapsed"/>.</summary>
    public void Record(string method, int status, TimeSpan elapsed)
    {
        var counters = For(method);
        Interlocked.Increment(ref counters.Calls);
        if (status >= 400) Interlocked.Increment(ref counters.Errors);
        if (status == 429) Interlocked.Increment(ref counters.RateLimited);
        Interlocked.Add(ref counters.Microseconds, (long)elapsed.TotalMicroseconds);
        Interlocked.Exchange(ref _lastCallUnixMs, time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    /// <summary>A getUpdates answer carried <paramref name="updates"/> updates.</summary>
    public void Polled(int updates)
    {
        Interlocked.Add(ref _updates, updates);
        Interlocked.Exchange(ref _lastPollUnixMs, time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    public IReadOnlyList<MethodStats> Methods() =>
        _methods.Select(m => new MethodStats(m.Key, Interlocked.Read(ref m.Value.Calls), Interlocked.Read(ref m.Value.Errors),
                Interlocked.Read(ref m.Value.RateLimited), TimeSpan.FromMicroseconds(Interlocked.Read(ref m.Value.Microseconds))))
            .OrderBy(m => m.Method, StringComparer.Ordinal)
            .ToList();

    private MethodCounters For(string method)
    {
        var name = method == File ? File : BotApiMethods.Canonical(method) ?? Other;
        return _methods.TryGetValue(name, out var counters) ? counters : _methods.GetOrAdd(name, _ => new MethodCounters());
    }

    private sealed class MethodCounters
    {
        public long Calls;
        public long Errors;
        public long RateLimited;
        public long Microseconds;
    }
}

/// <summary>One method's counters: <see cref="Time"/> is the sum of its calls' durations.</summary>
public sealed record MethodStats(string Method, long Calls, long Errors, long RateLimited, TimeSpan Time);
