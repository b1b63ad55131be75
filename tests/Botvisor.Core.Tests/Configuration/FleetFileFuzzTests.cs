using System.Diagnostics;
using System.Globalization;
using System.Text;
using Botvisor.Core.Configuration;
using Botvisor.Core.Fleet;
using Botvisor.Core.Validation;

namespace Botvisor.Core.Tests.Configuration;

/// <summary>
/// Generated fleet files and bot bodies (mutations of valid samples plus the known bombs) must each give
/// a result — never an exception, a hang or a crash — and every error must say where it is.
/// The run is count-based with a fixed seed; a longer random run:
/// <c>BOTVISOR_FUZZ_COUNT=10000 BOTVISOR_FUZZ_SEED=random dotnet test tests/Botvisor.Core.Tests --filter FleetFileFuzz</c>
/// (the seed is printed, and named in any failure, so <c>BOTVISOR_FUZZ_SEED=&lt;seed&gt;</c> reproduces it).
/// </summary>
public sealed class FleetFileFuzzTests : IDisposable
{
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(10);
    private readonly string _dir = Directory.CreateTempSubdirectory("botvisor-fuzz-").FullName;
    private readonly ITestOutputHelper output;

    public FleetFileFuzzTests(ITestOutputHelper output)
    {
        this.output = output;
        Directory.CreateDirectory(Path.Combine(_dir, "bots"));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] FileSamples =
    [
        """
        env_file: .env
        state_dir: /var/lib/botvisor
        sample_interval: 15s
        api:
          listen: http://127.0.0.1:7070
          tokens: { ops: "${OPS_TOKEN}" }
          public_metrics: true
        defaults:
          restart: on-failure
          backoff: { initial: 1s, multiplier: 2, max: 1m, jitter: 0.2 }
          max_restarts: 10
          min_uptime: 30s
          stop_signal: SIGTERM
          stop_timeout: 10s
          inherit_env: true
          logs: { max_size: 10MiB, max_files: 5 }
          telegram: { api_base_url: https://api.telegram.org, validate: false }
        bots:
          echo:
            command: ["python3", "echo.py"]
            cwd: bots
            token: ${ECHO_BOT_TOKEN}
            env: { LOG_LEVEL: info }
            autostart: true
            depends_on: [emulator]
          emulator:
            command: dotnet run --project tools/TelegramEmulator -- --urls http://127.0.0.1:8081
            ready: notify
            start_timeout: 30s
            watchdog: 30s
            health: { http: http://127.0.0.1:8081/healthz, interval: 10s, timeout: 2s, failures: 3, initial_delay: 5s }
            memory_max: 256MiB
            cpu_max: 0.5
        """,
        """
        defaults: &defaults
          restart: always
          stop_timeout: 5s
        bots:
          a: { command: [sleep, "100"], restart: always }
          a2: &a2 { command: [sleep, "100"], restart: always, backoff: { initial: 1s } }
          a3: *a2
          b:
            command: sleep 100
            env:
              A: "1"
              B: 'two'
              C: |
                multi
                line
            depends_on:
              - a
          c: { command: "sh -c 'echo $$HOME'", token: "123456:ABCdefGHIjklmnoPQRstuVWXyz012345678" }
        """,
        "bots:\n  only:\n    command:\n      - python3\n      - -u\n      - bot.py\n    backoff:\n      initial: 0s\n",
    ];

    private static readonly string[] BodySamples =
    [
        """{"id":"extra","command":["python3","bot.py"],"cwd":"/srv/bots","token":"123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678","env":{"A":"1"},"restart":"always","backoff":{"initial":"1s","multiplier":2},"depends_on":[],"autostart":false}""",
        "id: weather\ncommand: python3 weather.py\nenv:\n  CITY: Oslo\ntelegram: { validate: false, check_interval: 5m }\nhealth: { http: 'http://127.0.0.1:9/h', failures: 2 }\n",
        """{"id":"x","command":"sleep 1"}""",
    ];

    /// <summary>Fragments the mutations insert: YAML's syntax, its sharp edges and a few hostile bytes.</summary>
    private static readonly string[] Tokens =
    [
        "[", "]", "{", "}", ":", ": ", ",", "- ", "? ", "\"", "'", "\t", "\0", "\\0", "\n", "\r\n", "#", "&a ", "*a", "&b ", "*b", "*zz",
        "!!str ", "!!binary ", "!<tag:x> ", "!x ", "%YAML 1.1\n", "%TAG ! tag:a,2000:\n", "---\n", "...\n", "| ", ">-\n", "${", "$$", "${X:-d}",
        "<<: ", "~", "null", "true", "0x1F", "1e999", "-", "\\u0000", "\\uD800", "\u2028", "\uFEFF", "  ", "        ", "\"\\", "@", "`", "%",
        "command", "bots", "env_file", "cwd", "id", "token", "env", "depends_on", "/dev/zero", "..", "/",
    ];

    private static readonly byte[][] RawBytes =
    [
        [0xFF], [0xFE, 0xFF], [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x00], [0x1B], [0x7F],
    ];

    private const string Bomb = "&a [x,x,x,x,x,x,x,x,x,x]";

    private static string AliasChain(string sep) => string.Join(sep, new[]
    {
        "a: &a [x, x, x, x, x, x, x, x, x, x]", "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]", "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]", "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]", "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]",
        "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]", "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]", "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]",
    });

    /// <summary>The known bombs, each a whole document (fleet file and body alike).</summary>
    private static IEnumerable<(string Name, byte[] Bytes)> Bombs()
    {
        static (string, byte[]) T(string name, string text) => (name, Encoding.UTF8.GetBytes(text));
        yield return T("deep brackets", "{\"id\":\"deep\",\"command\":" + new string('[', 40_000));
        yield return T("deep brackets closed", "{\"id\":\"deep\",\"command\":" + new string('[', 20_000) + new string(']', 20_000) + "}");
        yield return T("deep braces", string.Concat(Enumerable.Repeat("{\"a\":", 20_000)));
        yield return T("deep flow keys", string.Concat(Enumerable.Repeat("{a: ", 20_000)) + "b" + new string('}', 20_000));
        yield return T("deep block sequences", string.Concat(Enumerable.Repeat("- ", 20_000)) + "x\n");
        yield return T("deep block mappings", string.Concat(Enumerable.Range(0, 700).Select(i => new string(' ', i) + "k:\n")));
        yield return T("alias bomb as value", AliasChain("\n") + "\nbots:\n  x:\n    command: *i\n");
        yield return T("alias bomb as key", AliasChain("\n") + "\n? *i\n: boom\n");
        yield return T("alias bomb as flow key", "{" + AliasChain(", ") + ", *i : boom}");
        yield return T("alias bomb in a body", "{\"id\":\"b\",\"command\":[\"a\"],\"env\":{" + AliasChain(", ") + "}}");
        yield return T("self alias", "bots:\n  x: &x\n    command: [*x]\n");
        yield return T("forward alias key", "{*a : 1, b: &a [*a]}");
        yield return T("complex key sequence", "bots:\n  ? [a, b]\n  : { command: x }\n");
        yield return T("complex key mapping", "{\"id\":\"x\",\"command\":[\"a\"],\"env\":{{a: b}: c}}");
        yield return T("complex key at top", "? [a]\n: b\n");
        yield return T("NUL raw", "bots:\n  x:\n    command: a\0b\n");
        yield return T("NUL escaped", "{\"id\":\"x\",\"command\":[\"a\"],\"cwd\":\"a\\u0000b\"}");
        yield return T("NUL in state_dir", "state_dir: \"\\0\"\n");
        yield return T("unclosed bracket", "bots:\n  x:\n    command: [a, b\n");
        yield return T("unclosed brace", "{\"id\":\"x\",\"command\":[\"a\"]");
        yield return T("unclosed double quote", "{\"id\":\"x");
        yield return T("unclosed single quote", "bots:\n  x: { command: 'a\n");
        yield return T("huge plain scalar", "bots:\n  x:\n    command: " + new string('a', 1 << 20) + "\n");
        yield return T("huge quoted scalar", "{\"id\":\"" + new string('a', 1 << 20) + "\",\"command\":[\"a\"]}");
        yield return T("huge explicit key", "? " + new string('k', 200_000) + "\n: v\n");
        yield return T("huge implicit key", new string('k', 200_000) + ": v\n");
        yield return ("invalid UTF-8", [.. "bots:\n  x:\n    command: "u8, 0xFF, 0xFE, 0xC0, 0xAF, .. "\n"u8]);
        yield return T("tabs", "bots:\n\tx:\n\t\tcommand: a\n");
        yield return T("many documents", string.Concat(Enumerable.Repeat("---\na: 1\n", 20_000)));
        yield return T("many anchors", "bots:\n" + string.Concat(Enumerable.Range(0, 2000).Select(i => $"  b{i}: &a{i} {{ command: x }}\n")));
        yield return T("directives and tags", "%YAML 1.1\n%TAG !e! tag:e.com,2000:\n--- !e!x\nbots: !!map\n  x: !!binary aGk=\n");
        yield return T("lone surrogate escape", "{\"id\":\"x\",\"command\":[\"\\uD800\"]}");
        yield return T("empty", "");
        yield return T("only a BOM", "\uFEFF");
        yield return T("scalar root", "just a string");
        yield return T("env_file /dev/zero", "env_file: /dev/zero\nbots: {}\n");
        yield return T("env_file directory", "env_file: /\nbots: {}\n");
        yield return T("bad duration overflow", "defaults: { stop_timeout: 99999999999999999999h, min_uptime: 9223372036854775807ms }\nbots: {}\n");
        yield return T("bad numbers", "defaults: { max_restarts: 99999999999999999999, backoff: { multiplier: 1e999, jitter: NaN } }\nbots: {}\n");
    }

    private static (int Seed, int Count) Settings()
    {
        var (count, seed) = Botvisor.Testing.TestRuns.FromEnvironment("BOTVISOR_FUZZ_COUNT", 3000, "BOTVISOR_FUZZ_SEED", 13013);
        return (seed, count);
    }

    private static byte[] Mutate(Random random, byte[] sample)
    {
        var bytes = new List<byte>(sample);
        int operations = 1 + random.Next(random.Next(3) == 0 ? 12 : 2);
        for (int op = 0; op < operations; op++)
        {
            int at = random.Next(bytes.Count + 1);
            switch (random.Next(8))
            {
                case 0 when bytes.Count > 0: // delete a range
                    bytes.RemoveRange(Math.Min(at, bytes.Count - 1), Math.Min(1 + random.Next(16), bytes.Count - Math.Min(at, bytes.Count - 1)));
                    break;
                case 1 when bytes.Count > 0: // duplicate a range somewhere else
                    int from = random.Next(bytes.Count);
                    var range = bytes.GetRange(from, Math.Min(1 + random.Next(64), bytes.Count - from));
                    bytes.InsertRange(at, range);
                    break;
                case 2 when bytes.Count > 0: // replace a byte
                    bytes[Math.Min(at, bytes.Count - 1)] = (byte)random.Next(256);
                    break;
                case 3: // insert hostile bytes
                    bytes.InsertRange(at, RawBytes[random.Next(RawBytes.Length)]);
                    break;
                case 4: // repeat a token many times
                    var token = Encoding.UTF8.GetBytes(Tokens[random.Next(Tokens.Length)]);
                    int times = random.Next(4) == 0 ? 100 + random.Next(2000) : 1 + random.Next(5);
                    for (int i = 0; i < times; i++) bytes.InsertRange(at, token);
                    break;
                case 5: // insert a bomb fragment
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(random.Next(3) switch { 0 => Bomb, 1 => "? [*a]\n: ", _ => new string('[', 100 + random.Next(400)) }));
                    break;
                default: // insert a token
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(Tokens[random.Next(Tokens.Length)]));
                    break;
            }
        }
        return [.. bytes];
    }

    private sealed class Watchdog : IDisposable
    {
        private readonly Timer _timer;
        private string _case = "";
        private long _started;

        public Watchdog(int seed) => _timer = new Timer(_ =>
        {
            var name = Volatile.Read(ref _case);
            if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _started)) > CaseLimit && name.Length > 0)
            {
                // A hang cannot be cancelled from outside the parser: end the run, naming the case.
                Environment.FailFast($"fuzz case '{name}' (BOTVISOR_FUZZ_SEED={seed}) took more than {CaseLimit.TotalSeconds:0} s");
            }
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        public void Begin(string name)
        {
            Interlocked.Exchange(ref _started, Stopwatch.GetTimestamp());
            Volatile.Write(ref _case, name);
        }

        public void End() => Volatile.Write(ref _case, "");

        public void Dispose() => _timer.Dispose();
    }

    private static void AssertLocated(string name, int seed, IEnumerable<FleetError> errors, string file, Func<FleetError, bool>? fileLevel = null)
    {
        foreach (var e in errors)
        {
            string where = $"fuzz case '{name}' (BOTVISOR_FUZZ_SEED={seed}): {e}";
            Assert.False(e.Message.Contains(FleetFileLoader.InternalErrorPrefix, StringComparison.Ordinal), "an unexpected exception was caught: " + where);
            Assert.True(e.File is not null, "an error without a file: " + where);
            Assert.True(e.Location is { Line: >= 1, Column: >= 1 } || fileLevel?.Invoke(e) == true, "an error without a line and column: " + where);
        }
    }

    [Fact]
    public void FleetFileFuzz_TheSamplesAreValid()
    {
        File.WriteAllText(Path.Combine(_dir, ".env"), "OPS_TOKEN=ops\nexport ECHO_BOT_TOKEN='123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678'\n");
        var path = Path.Combine(_dir, "botvisor.yaml");
        foreach (var sample in FileSamples)
        {
            File.WriteAllText(path, sample);
            var result = FleetLoader.LoadAndValidate(path, _ => null);
            Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        }
        foreach (var sample in BodySamples)
        {
            var (bot, errors) = FleetFileLoader.ParseBotDocument(sample, "request body", null);
            Assert.True(bot is not null, string.Join("\n", errors));
        }
    }

    [Fact]
    public void FleetFileFuzz_GeneratedFleetFiles_GiveLocatedErrorsOnly()
    {
        var (seed, count) = Settings();
        output.WriteLine($"fleet files: BOTVISOR_FUZZ_SEED={seed} BOTVISOR_FUZZ_COUNT={count}");
        var random = new Random(seed);
        File.WriteAllText(Path.Combine(_dir, ".env"), "OPS_TOKEN=ops\nexport ECHO_BOT_TOKEN='123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678'\n");
        var path = Path.Combine(_dir, "botvisor.yaml");
        var samples = FileSamples.Select(Encoding.UTF8.GetBytes).ToArray();
        var cases = Bombs().Concat(Enumerable.Range(0, count).Select(i => ($"file #{i}", Mutate(random, samples[random.Next(samples.Length)]))));
        int failed = 0, n = 0;
        var slowest = (Name: "", Time: TimeSpan.Zero);
        using var watchdog = new Watchdog(seed);
        foreach (var (name, bytes) in cases)
        {
            File.WriteAllBytes(path, bytes);
            watchdog.Begin(name);
            long started = Stopwatch.GetTimestamp();
            FleetLoadResult result;
            try
            {
                result = FleetLoader.LoadAndValidate(path, variable => variable == "HOME" ? "/home/x" : null);
                if (result.Succeeded) _ = BotSpecResolver.ResolveAll(result.Fleet!, path);
            }
            catch (Exception ex)
            {
                Assert.Fail($"fuzz case '{name}' (BOTVISOR_FUZZ_SEED={seed}) threw {ex}");
                throw;
            }
            watchdog.End();
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed > slowest.Time) slowest = (name, elapsed);
            AssertLocated(name, seed, result.Errors, path, e => e.File == path && e.Message.StartsWith("cannot read the fleet file", StringComparison.Ordinal));
            if (!result.Succeeded) failed++;
            n++;
        }
        output.WriteLine($"{n} fleet files, {failed} rejected; slowest '{slowest.Name}' {slowest.Time.TotalMilliseconds:0} ms");
    }

    [Fact]
    public void FleetFileFuzz_GeneratedBotBodies_GiveLocatedErrorsOnly()
    {
        var (seed, count) = Settings();
        output.WriteLine($"bot bodies: BOTVISOR_FUZZ_SEED={seed} BOTVISOR_FUZZ_COUNT={count}");
        var random = new Random(unchecked(seed * 31 + 7));
        var samples = BodySamples.Select(Encoding.UTF8.GetBytes).ToArray();
        var cases = Bombs().Concat(Enumerable.Range(0, count).Select(i => ($"body #{i}", Mutate(random, samples[random.Next(samples.Length)]))));
        int failed = 0, n = 0;
        var slowest = (Name: "", Time: TimeSpan.Zero);
        using var watchdog = new Watchdog(seed);
        foreach (var (name, bytes) in cases)
        {
            watchdog.Begin(name);
            long started = Stopwatch.GetTimestamp();
            IReadOnlyList<FleetError> errors;
            try
            {
                // As the API reads a body: UTF-8 with replacement characters; then what FleetController does with it.
                var text = Encoding.UTF8.GetString(bytes);
                (var bot, errors) = FleetFileLoader.ParseBotDocument(text, "request body", null);
                if (bot is not null)
                {
                    var fleet = new FleetConfig { Bots = [bot], BaseDirectory = "/srv", SourcePath = "/srv/botvisor.yaml" };
                    _ = FleetValidator.Default.Validate(fleet, new SourceMap(null));
                    _ = BotSpecResolver.Resolve(bot, fleet.Defaults, fleet.BaseDirectory, "api");
                }
            }
            catch (Exception ex)
            {
                Assert.Fail($"fuzz case '{name}' (BOTVISOR_FUZZ_SEED={seed}) threw {ex}");
                throw;
            }
            watchdog.End();
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed > slowest.Time) slowest = (name, elapsed);
            AssertLocated(name, seed, errors, "request body");
            if (errors.Count > 0) failed++;
            n++;
        }
        output.WriteLine($"{n} bodies, {failed} rejected; slowest '{slowest.Name}' {slowest.Time.TotalMilliseconds:0} ms");
    }
}
