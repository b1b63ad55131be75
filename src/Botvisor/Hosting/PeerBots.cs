using System.Net.Http.Headers;
using System.Net.Http.Json;
using Botvisor.Api.Contracts;
using Botvisor.Core.Cluster;
using Botvisor.Core.Diagnostics;

namespace Botvisor.Hosting;

/// <summary>
/// What another node says about the bots it runs: one <c>GET /bots?node=NAME</c> to that node (with the
/// cluster's secret, as <see cref="ClusterPeers"/> forwards commands), answered from its own view. An answer
/// is reused for <see cref="FreshFor"/>, and callers that ask while a request is in flight share it, so a busy
/// dashboard costs each node at most about one request a second. A node that does not answer within
/// <see cref="AnswerTimeout"/> is "not answering"; while it stays so, callers get that at once (a new request
/// runs behind them) instead of waiting for the timeout again.
/// </summary>
public sealed partial class PeerBots : IDisposable
{
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(1);

    private readonly ClusterCoordinator _coordinator;
    private readonly ClusterPeers _peers;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = AnswerTimeout }) { Timeout = AnswerTimeout };
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public PeerBots(ClusterCoordinator coordinator, ClusterPeers peers, TimeProvider time, ILogger<PeerBots> logger)
    {
        _coordinator = coordinator;
        _peers = peers;
        _time = time;
        _logger = logger;
    }

    /// <summary>The last answer of a node, and the request that will replace it.</summary>
    private sealed class Entry
    {
        public PeerAnswer? Last;
        public Task<PeerAnswer>? InFlight;
        public long InFlightSince;
    }

    /// <summary>
    /// <paramref name="node"/>'s bots: a cached answer no older than <see cref="FreshFor"/> whose request started
    /// at or after <paramref name="notBefore"/> (a timestamp of this node's <see cref="TimeProvider"/>; 0: any), or a new one.
    /// </summary>
    public Task<PeerAnswer> AskAsync(string node, long notBefore = 0)
    {
        long now = _time.GetTimestamp();
        lock (_lock)
        {
            if (!_entries.TryGetValue(node, out var entry)) _entries[node] = entry = new Entry();
            if (entry.Last is { } last && last.AskedAt >= notBefore && _time.GetElapsedTime(last.AskedAt, now) < FreshFor) return Task.FromResult(last);
            if (entry.InFlight is null || entry.InFlightSince < notBefore)
            {
                entry.InFlightSince = now;
                entry.InFlight = RequestAsync(node, now, entry);
            }
            // A node that did not answer last time: say so now rather than wait for the timeout again.
            return entry.Last is { Answered: false } failed && notBefore == 0 ? Task.FromResult(failed) : entry.InFlight;
        }
    }

    private async Task<PeerAnswer> RequestAsync(string node, long askedAt, Entry entry)
    {
        await Task.Yield(); // the caller holds the lock
        var answer = await FetchAsync(node, askedAt).ConfigureAwait(false);
        lock (_lock)
        {
            if (entry.Last is null || entry.Last.AskedAt <= askedAt)
            {
                if (answer.Answered && entry.Last is { Answered: false }) Log.Answering(_logger, node);
                else if (!answer.Answered && entry.Last is not { Answered: false }) Log.NotAnswering(_logger, node, answer.Failure!);
                entry.Last = answer;
            }
            if (entry.InFlightSince == askedAt) entry.InFlight = null;
        }
        return answer;
    }

    private async Task<PeerAnswer> FetchAsync(string node, long askedAt)
    {
        if (_coordinator.AddressOf(node) is not { } address) return PeerAnswer.Failed(node, askedAt, "its address is unknown");
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(address), "bots?node=" + Uri.EscapeDataString(node)));
            _peers.Authorize(request, actor: "cluster status");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await _http.SendAsync(request).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return PeerAnswer.Failed(node, askedAt, $"HTTP {(int)response.StatusCode}");
            var bots = await response.Content.ReadFromJsonAsync(ApiJsonContext.Default.ListBotStatus).ConfigureAwait(false) ?? [];
            return new PeerAnswer(node, askedAt, bots.ToDictionary(b => b.Id, StringComparer.Ordinal), null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return PeerAnswer.Failed(node, askedAt, ex is TaskCanceledException ? $"no answer within {AnswerTimeout.TotalSeconds:0.#}s" : ex.Message);
        }
    }

    public void Dispose() => _http.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEventIds.PeerNotAnswering, Level = LogLevel.Warning, Message = "Node {Node} does not answer for the bots it runs ({Reason}): they show as unknown")]
        public static partial void NotAnswering(ILogger logger, string node, string reason);

        [LoggerMessage(EventId = LogEventIds.PeerAnswering, Level = LogLevel.Information, Message = "Node {Node} answers again for the bots it runs")]
        public static partial void Answering(ILogger logger, string node);
    }
}

/// <summary>A node's answer: its bots by id (null when it did not answer, and then why), asked at a timestamp of the asking node.</summary>
public sealed record PeerAnswer(string Node, long AskedAt, IReadOnlyDictionary<string, BotStatus>? Bots, string? Failure)
{
    public bool Answered => Bots is not null;

    public static PeerAnswer Failed(string node, long askedAt, string why) => new(node, askedAt, null, why);
}
