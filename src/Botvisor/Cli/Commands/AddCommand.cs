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
    private static readonly Option<string?> Token = new("--bot-token") { Description = "The bot's Telegram token" };
    private static readonly Option<string?> Cwd = new("--cwd") { Description = "Working directory" };
    private static readonly Option<string[]> Env = new("--env", "-e") { Description = "KEY=VALUE for the worker's environment (repeatable)", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<string?> Restart = new("--restart") { Description = "always | on-failure | never" };
    private static readonly Option<string[]> DependsOn = new("--depends-on") { Description = "A bot that must run first (repeatable)" };
    private static readonly Option<bool> NoAutostart = new("--no-autostart") { Description = "Define the bot without starting it" };

    public static Command Create()
    {
        var command = new Command("add", "Add a bot to the running fleet: botvisor add echo --bot-token \"$TOKEN\" -- python3 echo.py").With();
        command.Arguments.Add(Id);
        command.Arguments.Add(Program);
        foreach (var o in new Option[] { File, Token, Cwd, Env, Restart, DependsOn, NoAutostart }) command.Options.Add(o);
        command.SetAction((parse, _) =>
        {
            string body;
            string contentType;
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
                if (parse.GetValue(Id) is { } id) body = WithId(body, id, contentType);
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
                body = BuildJson(parse, id, argv);
                contentType = "application/json";
            }
            return ClientOptions.RunAsync(parse, async (client, json, ct) =>
            {
                var (bot, raw) = await client.SendAsync(HttpMethod.Post, "bots", ApiJsonContext.Default.BotStatus, body, contentType, ct);
                if (json) Console.WriteLine(raw);
                else Console.WriteLine($"{bot!.Id}: added ({bot.State})");
                return ExitCodes.Ok;
            });
        });
        return command;
    }

    private static string? ReadStandardInput(out string? reason)
    {
        var buffer = new char[Api.ApiConventions.MaxBodyBytes + 1];
        int length = 0, n;
        while (length < buffer.Length && (n = Console.In.Read(buffer, length, buffer.Length - length)) > 0) length += n;
        reason = length > Api.ApiConventions.MaxBodyBytes ? $"larger than the limit of {BoundedFile.Limit(Api.ApiConventions.MaxBodyBytes)}" : null;
        return reason is null ? new string(buffer, 0, length) : null;
    }

    private static string WithId(string body, string id, string contentType) =>
        contentType == "application/json" ? body : $"id: {JsonSerializer.Serialize(id, ApiJsonContext.Default.String)}\n{body}";

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
