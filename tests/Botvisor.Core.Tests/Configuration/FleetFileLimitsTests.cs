using System.Globalization;
using System.Text;
using Botvisor.Core.Configuration;

namespace Botvisor.Core.Tests.Configuration;

/// <summary>
/// The fuzz run's reproductions (issue 13): each once crashed, hung or exhausted memory. Each must now
/// give located errors, quickly, without an exception.
/// </summary>
public sealed class FleetFileLimitsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("botvisor-limits-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Runs the parse on a worker thread and fails (rather than hang the run) if it takes more than 10 s.</summary>
    private static T Bounded<T>(Func<T> parse)
    {
        var task = Task.Factory.StartNew(parse, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.True(task.Wait(TimeSpan.FromSeconds(10)), "parsing did not finish within 10 s");
        return task.Result;
    }

    private FleetLoadResult Validate(string yaml)
    {
        var path = Path.Combine(_dir, "botvisor.yaml");
        File.WriteAllText(path, yaml);
        return Bounded(() => FleetLoader.LoadAndValidate(path, _ => null));
    }

    private static IReadOnlyList<FleetError> Body(string body) =>
        Bounded(() => FleetFileLoader.ParseBotDocument(body, "request body", null).Errors);

    private static void AssertLocated(IReadOnlyList<FleetError> errors, string file, string messagePart)
    {
        Assert.NotEmpty(errors);
        Assert.All(errors, e =>
        {
            Assert.Equal(file, e.File);
            Assert.NotNull(e.Location);
        });
        Assert.Contains(errors, e => e.Message.Contains(messagePart, StringComparison.Ordinal));
    }

    private static string DeepBrackets(int depth) => "{\"id\":\"deep\",\"command\":" + new string('[', depth);

    private const string AliasBombAnchors = """
        a: &a [x, x, x, x, x, x, x, x, x, x]
        b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
        c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
        d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
        e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
        f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
        g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
        h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
        i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]

        """;

    [Fact]
    public void DeepBrackets_InABody_IsALocatedError()
    {
        var errors = Body(DeepBrackets(40_000));
        AssertLocated(errors, "request body", "nested");
        Assert.Equal(1, errors[0].Location!.Value.Line);
    }

    [Fact]
    public void DeepBrackets_InAFleetFile_IsALocatedError()
    {
        var result = Validate("bots:\n  deep:\n    command: " + new string('[', 40_000) + "\n");
        Assert.False(result.Succeeded);
        AssertLocated(result.Errors, Path.Combine(_dir, "botvisor.yaml"), "nested");
    }

    [Fact]
    public void DeepBlockNesting_IsALocatedError()
    {
        var yaml = new StringBuilder("bots:\n");
        for (int i = 0; i < 1_000; i++) yaml.Append(' ', 2 * i + 2).Append("k:\n");
        var result = Validate(yaml.ToString());
        AssertLocated(result.Errors, Path.Combine(_dir, "botvisor.yaml"), "nested");

        // Compact block sequences: 20,000 levels in 40 KB.
        result = Validate(string.Concat(Enumerable.Repeat("- ", 20_000)) + "x\n");
        AssertLocated(result.Errors, Path.Combine(_dir, "botvisor.yaml"), "nested");
    }

    [Fact]
    public void NestingOfAnOrdinaryDepth_IsAccepted()
    {
        var errors = Body("{\"id\":\"ok\",\"command\":[\"python3\",\"bot.py\"],\"env\":{\"A\":\"1\"},\"telegram\":{\"validate\":false}}");
        Assert.Empty(errors);
    }

    [Fact]
    public void AliasBomb_AsAMappingKey_IsRefusedQuickly()
    {
        var result = Validate(AliasBombAnchors + "? *i\n: boom\n");
        AssertLocated(result.Errors, Path.Combine(_dir, "botvisor.yaml"), "alias");
    }

    [Fact]
    public void AliasBomb_AsAValue_IsRefusedQuickly()
    {
        var result = Validate(AliasBombAnchors + "bots:\n  bomb:\n    command: *i\n");
        AssertLocated(result.Errors, Path.Combine(_dir, "botvisor.yaml"), "alias");
    }

    [Fact]
    public void AliasBomb_InABody_IsRefused()
    {
        var body = "{\"id\":\"bomb\",\"command\":[\"a\"],\"env\":{" +
            "\"a\": &a [x,x,x,x,x,x,x,x,x,x], \"b\": &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], \"c\": &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]," +
            "\"d\": &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c], \"e\": &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d], \"f\": &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]," +
            "\"g\": &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f], \"h\": &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g], *h : x}}";
        AssertLocated(Body(body), "request body", "alias");
    }

    [Theory]
    [InlineData("bots:\n  x: &x\n    command: [*x]\n")]
    [InlineData("bots:\n  y: &x { command: [a] }\n  x: &x\n    command: [*x]\n")]
    [InlineData("bots:\n  x:\n    command: [a]\n    env: { &k k: 1, n: &k [ { *k : v } ] }\n")]
    [InlineData("bots:\n  x:\n    command: *later\n  y: { command: &later [a] }\n")]
    public void AliasToAnUnfinishedOrLaterAnchor_IsALocatedError(string yaml)
    {
        var result = Validate(yaml);
        AssertLocated(result.Errors, Path.Combine(_dir, "botvisor.yaml"), "refers to no anchor");
    }

    [Fact]
    public void AliasesWithinTheLimits_AreAccepted()
    {
        var result = Validate("defaults: &d { restart: always }\nbots:\n  a: &a { command: [sleep, '1'], env: { K: &v value } }\n  b: *a\n  c: { command: [sleep, '1'], env: { *v : x } }\n");
        Assert.Empty(result.Errors);
        Assert.Equal(3, result.Fleet!.Bots.Count);
        Assert.Equal("x", result.Fleet.Bots.Single(b => b.Id == "c").Env!["value"]);
    }

    [Fact]
    public void AFleetOfFiveThousandBots_IsWellInsideTheLimits()
    {
        var yaml = new StringBuilder("defaults:\n  backoff: &backoff { initial: 1s, multiplier: 2, max: 1m, jitter: 0.2 }\nbots:\n");
        for (int i = 0; i < 5_000; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  bot{i}:\n    command: [\"python3\", \"bot.py\", \"--n\", \"{i}\"]\n")
                .Append(CultureInfo.InvariantCulture, $"    env: {{ LOG_LEVEL: info, SHARD: \"{i}\" }}\n    backoff: *backoff\n    telegram: {{ validate: false }}\n");
        }
        Assert.True(yaml.Length < FleetLimits.MaxFleetFileBytes / 4);
        var result = Validate(yaml.ToString());
        Assert.Empty(result.Errors);
        Assert.Equal(5_000, result.Fleet!.Bots.Count);
    }

    [Fact]
    public void EnvFile_DevZero_IsRefusedAsNotARegularFile()
    {
        var result = Validate("env_file: /dev/zero\nbots: {}\n");
        var file = Path.Combine(_dir, "botvisor.yaml");
        AssertLocated(result.Errors, file, "/dev/zero");
        Assert.Contains(result.Errors, e => e.Message.Contains("not a regular file", StringComparison.Ordinal));
    }

    [Fact]
    public void EnvFile_TooLarge_IsRefused()
    {
        var env = Path.Combine(_dir, "big.env");
        File.WriteAllText(env, "A=" + new string('x', (int)FleetLimits.MaxEnvFileBytes) + "\n");
        var result = Validate($"env_file: {env}\nbots: {{}}\n");
        AssertLocated(result.Errors, Path.Combine(_dir, "botvisor.yaml"), "larger than");
    }

    [Fact]
    public void FleetFile_DevZero_IsAFileLevelError()
    {
        var result = Bounded(() => FleetLoader.LoadAndValidate("/dev/zero", _ => null));
        var error = Assert.Single(result.Errors);
        Assert.Equal("/dev/zero", error.File);
        Assert.Contains("not a regular file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FleetFile_TooLarge_IsAFileLevelError()
    {
        var path = Path.Combine(_dir, "botvisor.yaml");
        using (var f = File.Create(path)) f.SetLength(FleetLimits.MaxFleetFileBytes + 1);
        var result = Bounded(() => FleetLoader.LoadAndValidate(path, _ => null));
        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.File);
        Assert.Contains("larger than", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bots:\n  echo:\n    command: [python3, echo.py\n")]
    [InlineData("bots: [\n")]
    [InlineData("bots:\n  echo: {command: \"python3\n")]
    [InlineData("bots:\n  echo:\n    command: 'python3\n")]
    [InlineData("[")]
    public void Unclosed_IsALocatedError(string yaml)
    {
        var result = Validate(yaml);
        AssertLocated(result.Errors, Path.Combine(_dir, "botvisor.yaml"), "");
    }

    [Theory]
    [InlineData("bots:\n  ? [a, b]\n  : {command: x}\n")]
    [InlineData("bots:\n  ? {a: b}\n  : {command: x}\n")]
    [InlineData("bots:\n  echo:\n    command: x\n    env: { [a]: b }\n")]
    [InlineData("api:\n  tokens: { ? [a] : b }\n")]
    [InlineData("? [a]\n: b\n")]
    public void ComplexKey_IsALocatedError(string yaml)
    {
        var result = Validate(yaml);
        AssertLocated(result.Errors, Path.Combine(_dir, "botvisor.yaml"), "key");
    }

    [Fact]
    public void ComplexKey_InABody_IsALocatedError()
    {
        AssertLocated(Body("{\"id\":\"x\",\"command\":[\"a\"],\"env\":{[1]: 2}}"), "request body", "key");
    }

    [Theory]
    [InlineData("bots:\n  echo:\n    command: x\n    cwd: \"a\\0b\"\n")]
    [InlineData("state_dir: \"a\\0b\"\nbots: {}\n")]
    [InlineData("env_file: \"a\\0b\"\nbots: {}\n")]
    [InlineData("bots:\n  echo:\n    command: \"a\\0b\"\n")]
    [InlineData("bots:\n  echo:\n    command: x\u0000\n")]
    public void NulCharacter_IsALocatedError(string yaml)
    {
        var result = Validate(yaml);
        AssertLocated(result.Errors, Path.Combine(_dir, "botvisor.yaml"), "");
    }

    [Fact]
    public void NulCharacter_InABody_IsALocatedError()
    {
        AssertLocated(Body("{\"id\":\"x\",\"command\":[\"a\"],\"cwd\":\"a\\u0000b\"}"), "request body", "");
    }
}
