using System.CommandLine;
using System.Text;
using System.Text.Json;
using Botvisor.Api.Contracts;
using Botvisor.Core.Configuration;

namespace Botvisor.Cli.Commands;

/// <summary>
/// <c>botvisor add ID [options] -- COMMAND ARGS…</c>, or <c>botvisor add --file bot.yaml</c> with a
/// YAML or JSON snippet (<c>-</c> reads standard input). The bot is stored by the daemon and
/// survives its restart.
/// </summary>
internal static class AddCommand
{
    private static readonly Argument<string?> Id = new("id") { Description = "The new bot's id", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Argument<string[]> Program = new("command") { Description = "The program and its arguments (after --)", Arity = ArgumentArity.ZeroOrMore };
    private static readonly Option<string?> File = new("--file", "-f") { Description = "A YAML or JSON definition of the bot ('-' for standard input)" };
    private static readonly Option<string?> Token = new("--bot-token") { Description = "The bot's Telegram token (BOT_TOKEN in its environment)" };
    private static readonly Option<string?> Cwd = new("--cwd") { Description = "Working directory" };
    private static readonly Option<string[]> Env = new("--env", "-e") { Description = "KEY=VALUE for the worker's environment (repeatable)", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<string?> Restart = new("--restart") { Description = "always | on-failure | never" };
    private static readonly Option<string[]> DependsOn = new("--depends-on") { Description = "A bot that must run first (repeatable)" };
    private static readonly Option<bool> NoAutostart = new("--no-autostart") { Description = "Define the bot without starting it" };

    private static readonly Option<bool> NoWait = new("--no-wait") { Description = "Return once the bot is stored, without waiting for its first outcome" };
    private static readonly Option<int> WaitSeconds = new("--wait") { Description = "At most this many seconds to wait for the bot's first outcome (running, backoff, failed)", DefaultValueFactory = _ => 30 };

    /// <summary>A bot still running this long after it was first seen running is reported running (a crash at start shows as backoff instead).</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    private static readonly System.Text.RegularExpressions.Regex BodyLocation = new(@"^request body:(?:(\d+):(\d+):)? ?", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    public static Command Create()
    {
        var command = new Command("add", "Add a bot to the running fleet and wait for its first outcome: botvisor add echo --bot-token \"$TOKEN\" -- python3 echo.py").With();
        command.Arguments.Add(Id);
        command.Arguments.Add(Program);
        foreach (var o in new Option[] { File, Token, Cwd, Env, Restart, DependsOn, NoAutostart, NoWait, WaitSeconds }) command.Options.Add(o);
        command.SetAction((parse, _) =>
        {
            if (parse.GetValue(ClientOptions.Token) is { } apiToken && Core.Validation.TokenValidator.LooksLikeTelegramToken(apiToken))
            {
                Console.Error.WriteLine("botvisor add: --token is the bearer token of a remote daemon's API, and this value looks like a Telegram bot token; give the bot's token with --bot-token");
                return Task.FromResult(ExitCodes.Usage);
            }
            string body;
            string contentType;
            Func<string, string> relocate;
            if (parse.GetValue(File) is { } file)
            {
                // The daemon takes at most Api.ApiConventions.MaxBodyBytes: a larger file (or /dev/zero) is refused here.
                var read = file == "-" ? ReadStandardInput(out var reason) : BoundedFile.TryReadText(Path.GetFullPath(file), Api.ApiConventions.MaxBodyBytes, out reason);
                if (read is null)
                {
                    Console.Error.WriteLine($"botvisor add: cannot read {(file == "-" ? "standard input" : file)}: {reason}");
                    return Task.FromResult(ExitCodes.Failed);
                }
                body = read;
                contentType = body.TrimStart().StartsWith('{') ? "application/json" : "application/yaml";
                int shift = 0;
                if (parse.GetValue(Id) is { } id && contentType != "application/json")
                {
                    body = $"id: {JsonSerializer.Serialize(id, ApiJsonContext.Default.String)}\n{body}";
                    shift = 1;
                }
                var name = file == "-" ? "<stdin>" : file;
                relocate = message => BodyLocation.Replace(message, m => m.Groups[1].Success
                    ? $"{name}:{int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) - shift}:{m.Groups[2].Value}: "
                    : $"{name}: ", 1);
            }
            else
            {
                var id = parse.GetValue(Id);
                var argv = parse.GetValue(Program) ?? [];
                if (id is null || argv.Length == 0)
                {
                    Console.Error.WriteLine("botvisor add: give an id and a command (botvisor add echo -- python3 echo.py), or --file");
                    return Task.FromResult(ExitCodes.Usage);
                }
                try
                {
                    body = BuildJson(parse, id, argv);
                }
                catch (ArgumentException ex)
                {
                    Console.Error.WriteLine("botvisor add: " + ex.Message);
                    return Task.FromResult(ExitCodes.Usage);
                }
                contentType = "application/json";
                relocate = message => BodyLocation.Replace(message, "", 1); // the JSON the CLI wrote: its lines mean nothing to the user
            }
            return ClientOptions.RunAsync(parse, async (client, json, ct) =>
            {
                BotStatus bot;
                string raw;
                try
                {
                    (var added, raw) = await client.SendAsync(HttpMethod.Post, "bots", ApiJsonContext.Default.BotStatus, body, contentType, ct);
                    bot = added!;
                }
                catch (ApiProblemException ex) when (ex.Status == System.Net.HttpStatusCode.Conflict && ex.Message.Contains("already exists", StringComparison.Ordinal))
                {
                    var id = parse.GetValue(Id) ?? "ID";
                    Console.Error.WriteLine($"botvisor: a bot with the id '{id}' already exists; remove it first (botvisor rm {id}) to add it anew, or choose another id");
                    return ExitCodes.Failed;
                }
                catch (ApiProblemException ex)
                {
                    return ClientOptions.PrintProblem(ex, relocate);
                }
                if (parse.GetValue(NoWait) || !bot.Autostart)
                {
                    if (json) Console.WriteLine(raw);
                    else Console.WriteLine($"{bot.Id}: added ({bot.State})");
                    return ExitCodes.Ok;
                }
                var (final, finalRaw, code, text) = await WaitForOutcomeAsync(client, bot.Id, TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(WaitSeconds))), ct);
                if (json) Console.WriteLine(finalRaw ?? raw);
                else if (code == ExitCodes.Ok) Console.WriteLine(text);
                else Console.Error.WriteLine(text);
                return code;
            });
        });
        return command;
    }

    /// <summary>
    /// Polls the new bot until its first outcome: running (and still running a moment later), backoff or
    /// failed, with the reason; or the state it is still in at <paramref name="timeout"/>.
    /// </summary>
    private static async Task<(BotStatus? Bot, string? Raw, int Code, string Text)> WaitForOutcomeAsync(ApiClient client, string id, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        var path = $"bots/{Uri.EscapeDataString(id)}";
        DateTime? runningSince = null;
        BotStatus? bot = null;
        string? raw = null;
        while (true)
        {
            var bytes = await client.GetRawAsync(path, ct);
            raw = System.Text.Encoding.UTF8.GetString(bytes);
            bot = JsonSerializer.Deserialize(raw, ApiJsonContext.Default.BotStatus)!;
            var now = DateTime.UtcNow;
            switch (bot.State)
            {
                case "failed":
                    return (bot, raw, ExitCodes.Failed, $"{id}: added, but it failed: {bot.Reason}");
                case "backoff":
                    return (bot, raw, ExitCodes.Failed, $"{id}: added, but it is in backoff: {bot.Reason} (botvisor logs {id})");
                case "stopped":
                    return (bot, raw, ExitCodes.Ok, $"{id}: added (stopped: {bot.Reason})");
                case "running":
                    runningSince ??= now;
                    if (now - runningSince >= Settle || now >= deadline)
                    {
                        return (bot, raw, ExitCodes.Ok, $"{id}: added; running{(bot.Pid is { } pid ? $" (pid {pid})" : "")}");
                    }
                    break;
                default:
                    runningSince = null;
                    break;
            }
            if (now >= deadline)
            {
                return (bot, raw, ExitCodes.Failed, $"{id}: added, but still {bot.State} after {timeout.TotalSeconds:0}s: {bot.Reason} (botvisor status {id})");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }
    }

    private static string? ReadStandardInput(out string? reason)
    {
        var buffer = new char[Api.ApiConventions.MaxBodyBytes + 1];
        int length = 0, n;
        while (length < buffer.Length && (n = Console.In.Read(buffer, length, buffer.Length - length)) > 0) length += n;
        reason = length > Api.ApiConventions.MaxBodyBytes ? $"larger than the limit of {BoundedFile.Limit(Api.ApiConventions.MaxBodyBytes)}" : null;
        return reason is null ? new string(buffer, 0, length) : null;
    }

    private static string BuildJson(ParseResult parse, string id, string[] argv)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteStartArray("command");
            foreach (var a in argv) w.WriteStringValue(a);
            w.WriteEndArray();
            if (parse.GetValue(Token) is { } token) w.WriteString("token", token);
            if (parse.GetValue(Cwd) is { } cwd) w.WriteString("cwd", Path.GetFullPath(cwd));
            if (parse.GetValue(Restart) is { } restart) w.WriteString("restart", restart);
            if (parse.GetValue(NoAutostart)) w.WriteBoolean("autostart", false);
            if (parse.GetValue(DependsOn) is { Length: > 0 } deps)
            {
                w.WriteStartArray("depends_on");
                foreach (var d in deps) w.WriteStringValue(d);
                w.WriteEndArray();
            }
            if (parse.GetValue(Env) is { Length: > 0 } env)
            {
                w.WriteStartObject("env");
                foreach (var pair in env)
                {
                    int eq = pair.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0) throw new ArgumentException($"--env expects KEY=VALUE, not '{pair}'");
                    w.WriteString(pair[..eq], pair[(eq + 1)..]);
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
