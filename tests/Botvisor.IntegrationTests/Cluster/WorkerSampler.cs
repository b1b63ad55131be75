using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Botvisor.IntegrationTests.Runners;

namespace Botvisor.IntegrationTests.Cluster;

/// <summary>
/// Records every live worker of a test's bots every 50 ms, whichever node started it: processes whose
/// environment has the run's mark (<c>CLUSTER_RUN=…</c>, set on every bot), by <c>BOTVISOR_BOT_ID</c>, with their
/// <c>BOTVISOR_LEASE_EPOCH</c>. Two live workers of one bot in one sample is an overlap, kept with its time; a
/// pair is counted only if both are still alive after the scan (a scan is not atomic).
/// </summary>
public sealed class WorkerSampler : IDisposable
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(50);

    private readonly byte[] _mark;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new();
    private readonly ConcurrentQueue<Overlap> _overlaps = new();
    private volatile IReadOnlyDictionary<string, IReadOnlyList<Worker>> _current = new Dictionary<string, IReadOnlyList<Worker>>();
    private long _samples;

    public sealed record Worker(int Pid, long Epoch);

    /// <summary>Two or more live workers of <paramref name="BotId"/> at <paramref name="At"/> (the sampler's stopwatch).</summary>
    public sealed record Overlap(TimeSpan At, string BotId, IReadOnlyList<Worker> Workers);

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public WorkerSampler(string runMark)
    {
        _mark = Encoding.ASCII.GetBytes("CLUSTER_RUN=" + runMark + "\0");
        _thread = new Thread(Run) { IsBackground = true, Name = "worker-sampler" };
        _thread.Start();
    }

    /// <summary>Time on the sampler's clock (to bound intervals of overlaps).</summary>
    public TimeSpan Now => _clock.Elapsed;

    public long Samples => Interlocked.Read(ref _samples);

    /// <summary>The live workers of each bot at the last sample.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Worker>> Current => _current;

    public IReadOnlyList<Overlap> Overlaps => _overlaps.ToList();

    /// <summary>Waits (generously) until <paramref name="condition"/> holds for the current sample.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyDictionary<string, IReadOnlyList<Worker>>, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        long seen = Samples;
        while (true)
        {
            if (Samples > seen && condition(Current)) return;
            if (deadline.Elapsed > (timeout ?? Botvisor.Testing.TestTimeouts.Daemon))
            {
                throw new TimeoutException($"{what}: not reached; workers now: {string.Join(", ", Current.Select(kv => $"{kv.Key}=[{string.Join(' ', kv.Value.Select(w => $"{w.Pid}@{w.Epoch}"))}]"))}");
            }
            await Task.Delay(Period);
        }
    }

    private void Run()
    {
        var buffer = new byte[64 * 1024];
        do
        {
            var now = _clock.Elapsed;
            var found = new Dictionary<string, List<Worker>>(StringComparer.Ordinal);
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
                int length;
                try
                {
                    using var f = new FileStream($"/proc/{pid}/environ", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
                    length = f.Read(buffer);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    continue;
                }
                var env = buffer.AsSpan(0, length);
                if (env.IndexOf(_mark) < 0 || !Processes.IsAlive(pid)) continue;
                string? bot = Value(env, "BOTVISOR_BOT_ID=");
                if (bot is null) continue;
                long epoch = long.TryParse(Value(env, "BOTVISOR_LEASE_EPOCH="), CultureInfo.InvariantCulture, out long e) ? e : -1;
                if (!found.TryGetValue(bot, out var list)) found[bot] = list = [];
                list.Add(new Worker(pid, epoch));
            }
            foreach (var (bot, workers) in found)
            {
                if (workers.Count > 1 && workers.Count(w => Processes.IsAlive(w.Pid)) > 1) _overlaps.Enqueue(new Overlap(now, bot, workers));
            }
            _current = found.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<Worker>)kv.Value, StringComparer.Ordinal);
            Interlocked.Increment(ref _samples);
        }
        while (!_stop.Wait(Period));
    }

    private static string? Value(ReadOnlySpan<byte> env, string key)
    {
        var k = Encoding.ASCII.GetBytes(key);
        int at = env.IndexOf(k);
        while (at > 0 && env[at - 1] != 0)
        {
            int next = env[(at + 1)..].IndexOf(k);
            if (next < 0) return null;
            at += 1 + next;
        }
        if (at < 0) return null;
        var rest = env[(at + k.Length)..];
        int end = rest.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? rest : rest[..end]);
    }

    public void Dispose()
    {
        _stop.Set();
        _thread.Join();
        _stop.Dispose();
    }
}
