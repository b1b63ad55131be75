using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.Runners;

/// <summary>
/// Runs the built <c>botvisor run</c> as a child process with JSON console logs and lets tests wait
/// for log events by event id. Signals go to it with <c>kill</c>.
/// </summary>
public sealed class DaemonRunner : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly SemaphoreSlim _changed = new(0);

    public sealed record LogEntry(int EventId, string Category, string Message, JsonElement State);

    private DaemonRunner(Process process, string stateDir)
    {
        _process = process;
        StateDir = stateDir;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            try
            {
                using var doc = JsonDocument.Parse(e.Data);
                var root = doc.RootElement;
                _entries.Enqueue(new LogEntry(
                    root.GetProperty("EventId").GetInt32(),
                    root.GetProperty("Category").GetString() ?? "",
                    root.GetProperty("Message").GetString() ?? "",
                    root.TryGetProperty("State", out var state) ? state.Clone() : default));
            }
            catch (JsonException)
            {
                _entries.Enqueue(new LogEntry(-1, "", e.Data, default));
            }
            _changed.Release();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) _stderr.Enqueue(e.Data);
        };
    }

    public int Pid => _process.Id;
    public string StateDir { get; }
    public string SocketPath => Path.Combine(StateDir, "botvisor.sock");
    public IReadOnlyList<LogEntry> Entries => _entries.ToList();
    public IReadOnlyList<string> Stderr => _stderr.ToList();

    public static string BotvisorDll => Path.Combine(AppContext.BaseDirectory, "botvisor.dll");

    /// <param name="launcher">A program that execs the daemon, such as <c>nohup</c>.</param>
    public static DaemonRunner Start(string configPath, string stateDir, IDictionary<string, string>? env = null, string listen = "http://127.0.0.1:0", string? launcher = null)
    {
        var psi = Command("run", "--config", configPath, "--state-dir", stateDir, "--log-format", "json", "--listen", listen);
        if (launcher is not null)
        {
            psi.ArgumentList.Insert(0, psi.FileName);
            psi.FileName = launcher;
        }
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var runner = new DaemonRunner(process, stateDir);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return runner;
    }

    public static ProcessStartInfo Command(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(BotvisorDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>The API's address, from the ApiListening event.</summary>
    public async Task<Uri> ApiAddressAsync()
    {
        var entry = await WaitForAsync(113);
        return new Uri(entry.State.GetProperty("Address").GetString()!);
    }

    /// <summary>
    /// An HTTP client for the daemon's API: on TCP with a bearer token if given, else on the local
    /// socket (without a token, the only place the daemon takes control requests).
    /// </summary>
    public async Task<HttpClient> HttpAsync(string? token = null)
    {
        var address = await ApiAddressAsync();
        if (token is null) return UnixHttp();
        var client = new HttpClient { BaseAddress = address, Timeout = TestTimeouts.Event };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>An HTTP client on the daemon's TCP port with no credentials at all: what any local user can do.</summary>
    public async Task<HttpClient> AnonymousTcpAsync() =>
        new() { BaseAddress = await ApiAddressAsync(), Timeout = TestTimeouts.Event };

    /// <summary>An HTTP client on the daemon's Unix socket.</summary>
    public HttpClient UnixHttp()
    {
        var socketPath = SocketPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath), ct);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri("http://localhost/"), Timeout = TestTimeouts.Event };
    }

    /// <summary>Runs a short CLI command to completion.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(params string[] args) => RunCliAsync(null, args);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(IDictionary<string, string>? env, params string[] args)
    {
        var psi = Command(args);
        psi.Environment.Remove("BOTVISOR_URL");
        psi.Environment.Remove("BOTVISOR_TOKEN");
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Daemon);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Waits for a log entry with <paramref name="eventId"/> matching <paramref name="predicate"/>; entries before <paramref name="after"/> are skipped.</summary>
    public async Task<LogEntry> WaitForAsync(int eventId, Func<LogEntry, bool>? predicate = null, int after = 0)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Event);
        while (true)
        {
            var match = _entries.Skip(after).FirstOrDefault(e => e.EventId == eventId && (predicate?.Invoke(e) ?? true));
            if (match is not null) return match;
            if (_process.HasExited && !_entries.Skip(after).Any(e => e.EventId == eventId))
            {
                await Task.Yield();
                match = _entries.Skip(after).FirstOrDefault(e => e.EventId == eventId && (predicate?.Invoke(e) ?? true));
                if (match is not null) return match;
                throw new InvalidOperationException($"the daemon exited ({_process.ExitCode}) before event {eventId}; stderr: {string.Join('\n', _stderr)}; log: {string.Join('\n', _entries.Select(e => e.Message))}");
            }
            try
            {
                await _changed.WaitAsync(TimeSpan.FromMilliseconds(500), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no event {eventId} within {TestTimeouts.Event}; log so far:\n{string.Join('\n', _entries.Select(e => $"[{e.EventId}] {e.Message}"))}");
            }
        }
    }

    /// <summary>The pid of the bot's current worker, from the newest "worker started (pid N)" state change.</summary>
    public async Task<int> WaitForRunningAsync(string botId, int after = 0)
    {
        var entry = await WaitForAsync(200, e => e.Message.StartsWith($"Bot {botId}: running", StringComparison.Ordinal), after);
        var msg = entry.Message;
        int start = msg.IndexOf("(pid ", StringComparison.Ordinal) + 5;
        return int.Parse(msg[start..msg.IndexOf(')', start)], System.Globalization.CultureInfo.InvariantCulture);
    }

    public int Mark => _entries.Count;

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-s", signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(TestTimeouts.Daemon);
        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signal("TERM");
            try
            {
                await WaitForExitAsync();
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
        _changed.Dispose();
    }
}
