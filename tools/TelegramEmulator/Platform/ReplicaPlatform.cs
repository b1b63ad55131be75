using System.Text.Json.Nodes;

namespace TelegramEmulator.Platform;

/// <summary>
/// A platform that hosts bots for its customers, shaped like the Sensay API: replicas with a uuid, a slug,
/// an owner and a Telegram integration (token, service name). The emulator serves their list so that a
/// Botvisor remote source can be run and tested offline; faults (5xx, timeouts, malformed JSON, a missing
/// page, an empty list) are switched on through the control API.
/// </summary>
public sealed class ReplicaPlatform
{
    private readonly Lock _lock = new();
    private readonly List<JsonObject> _replicas = [];
    private long _version = 1;
    private long _requests, _notModified;

    /// <summary>The value the <c>X-ORGANIZATION-SECRET</c> header must have; null: none is asked for.</summary>
    public string? Secret { get; set; }

    public PlatformFault Fault { get; private set; } = PlatformFault.None;

    /// <summary>How many more requests the fault applies to (then it is switched off); null: until changed.</summary>
    private int? _faultCount;

    public long Version
    {
        get
        {
            lock (_lock) return _version;
        }
    }

    /// <summary>Adds or replaces the replica with this slug.</summary>
    public JsonObject Put(string slug, string token, string serviceName, string? uuid = null, string? owner = null, bool? enabled = null)
    {
        var replica = new JsonObject
        {
            ["uuid"] = uuid ?? Guid.NewGuid().ToString(),
            ["slug"] = slug,
            ["owner_uuid"] = owner ?? "00000000-0000-4000-8000-000000000001",
            ["telegram_integration"] = new JsonObject { ["token"] = token, ["service_name"] = serviceName },
        };
        if (enabled is { } e) replica["is_active"] = e;
        lock (_lock)
        {
            int at = _replicas.FindIndex(r => (string?)r["slug"] == slug);
            if (at >= 0)
            {
                replica["uuid"] = uuid ?? (string?)_replicas[at]["uuid"];
                _replicas[at] = replica;
            }
            else
            {
                _replicas.Add(replica);
            }
            _version++;
            return (JsonObject)replica.DeepClone();
        }
    }

    /// <summary>Sets a field of a replica to JSON null or any value (a platform bug: a null token).</summary>
    public bool Patch(string slug, string path, JsonNode? value)
    {
        lock (_lock)
        {
            var replica = _replicas.FirstOrDefault(r => (string?)r["slug"] == slug);
            if (replica is null) return false;
            var steps = path.Split('.');
            JsonObject target = replica;
            foreach (var step in steps[..^1]) target = target[step] as JsonObject ?? throw new ArgumentException($"no object at {step}");
            target[steps[^1]] = value?.DeepClone();
            _version++;
            return true;
        }
    }

    public bool Remove(string slug)
    {
        lock (_lock)
        {
            bool removed = _replicas.RemoveAll(r => (string?)r["slug"] == slug) > 0;
            if (removed) _version++;
            return removed;
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _replicas.Clear();
            _version++;
        }
    }

    public void SetFault(PlatformFault fault, int? count)
    {
        lock (_lock)
        {
            Fault = fault;
            _faultCount = count;
        }
    }

    /// <summary>The fault this request meets (counted down), or none.</summary>
    public PlatformFault TakeFault()
    {
        lock (_lock)
        {
            _requests++;
            var fault = Fault;
            if (fault != PlatformFault.None && _faultCount is { } left)
            {
                if (left <= 1) Fault = PlatformFault.None;
                _faultCount = left - 1;
            }
            return fault;
        }
    }

    public void CountNotModified() => Interlocked.Increment(ref _notModified);

    private int _inFlight, _maxInFlight;

    /// <summary>Counts a request in flight (and the most there ever were at once); dispose when it is answered.</summary>
    public IDisposable InFlight()
    {
        int now = Interlocked.Increment(ref _inFlight);
        int max;
        while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
        {
        }
        return new Leaving(this);
    }

    private sealed class Leaving(ReplicaPlatform platform) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref platform._inFlight);
    }

    public JsonObject Stats()
    {
        lock (_lock)
        {
            return new JsonObject
            {
                ["requests"] = _requests, ["not_modified"] = Interlocked.Read(ref _notModified), ["version"] = _version,
                ["replicas"] = _replicas.Count, ["max_in_flight"] = Volatile.Read(ref _maxInFlight),
            };
        }
    }

    /// <summary>One page of the list (numbered from 1) and the total.</summary>
    public (List<JsonNode> Items, int Total, long Version) Page(int pageIndex, int pageSize)
    {
        lock (_lock)
        {
            var items = _replicas.Skip((pageIndex - 1) * pageSize).Take(pageSize).Select(r => r.DeepClone()).ToList();
            return (items, _replicas.Count, _version);
        }
    }
}

/// <summary>What the platform does wrong on purpose.</summary>
public enum PlatformFault
{
    None,

    /// <summary>500 Internal Server Error.</summary>
    Error500,

    /// <summary>No answer for a minute (the client's timeout ends it).</summary>
    Timeout,

    /// <summary>200 with a body that is not JSON.</summary>
    Malformed,

    /// <summary>Pages after the first answer 404 (a page missing).</summary>
    MissingPage,

    /// <summary>200 with an empty list (a platform bug: every bot would be removed).</summary>
    Empty,

    /// <summary>302 to another host (the source's credentials must not follow it).</summary>
    Redirect,

    /// <summary>200 with a body of 20 MiB.</summary>
    Huge,

    /// <summary>Each answer takes 300 ms (requests overlap if the client lets them).</summary>
    Slow,

    /// <summary>200 with the headers and half the body, then the connection is dropped.</summary>
    Truncated,
}
