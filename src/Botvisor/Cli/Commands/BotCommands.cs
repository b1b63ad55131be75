using System.CommandLine;
using System.Text;
using System.Text.Json;
using Botvisor.Api.Contracts;

namespace Botvisor.Cli.Commands;

/// <summary>
/// <c>botvisor start|stop|restart|rm ID…</c>: ids, <c>all</c>, globs (<c>'shop-*'</c>) and <c>--state STATE</c>,
/// as pm2 and supervisorctl select bots. The bots are acted on together; each gets one line.
/// </summary>
internal static class BotCommands
{
    private static readonly Argument<string[]> Ids = new Argument<string[]>("id")
    {
        Description = "Bot ids, globs such as 'shop-*' (quoted), or all",
        Arity = ArgumentArity.ZeroOrMore,
    }.WithBotIds();

    private static readonly Option<string[]> States = new("--state")
    {
        Description = "Only bots in this state: pending, waiting, starting, running, backoff, stopping, stopped, failed (repeatable; alone: every bot in it)",
    };

    static BotCommands()
    {
        States.AcceptOnlyFromAmong("pending", "waiting", "starting", "running", "backoff", "stopping", "stopped", "failed");
    }

    /// <summary>How many bots are acted on at once (each request waits for its bot's outcome).</summary>
    private const int Parallelism = 8;

    public static Command Start() => Action("start", "Start bots and wait until they run: botvisor start echo admin, start all, start --state stopped");
    public static Command Stop() => Action("stop", "Stop bots (each its whole process group) and wait until they have stopped: botvisor stop 'shop-*'");
    public static Command Restart() => Action("restart", "Restart bots and wait until their new workers run: botvisor restart all, restart --state failed");

    private static Command Action(string verb, string description)
    {
        var command = new Command(verb, description).With();
        command.Arguments.Add(Ids);
        command.Options.Add(States);
        command.SetAction((parse, _) => Run(parse, verb, async (client, id, ct) =>
        {
            var (bot, raw) = await client.SendAsync(HttpMethod.Post, $"bots/{Uri.EscapeDataString(id)}/{verb}", ApiJsonContext.Default.BotStatus, null, null, ct);
            var text = $"{id}: {bot!.State}{(bot.Pid is { } pid ? $" (pid {pid})" : "")}: {bot.Reason}";
            int code = verb == "stop" ? (bot.State is "stopped" or "failed" ? ExitCodes.Ok : ExitCodes.Failed)
                : bot.State == "failed" ? ExitCodes.Failed : ExitCodes.Ok;
            return (text, raw, code);
        }));
        return command;
    }

    public static Command Remove()
    {
        var command = new Command("rm", "Stop and remove bots that were added with `botvisor add` (bots of the fleet file are removed by editing it); all and globs select added bots only").With();
        command.Arguments.Add(Ids);
        command.Options.Add(States);
        command.SetAction((parse, _) => Run(parse, "rm", async (client, id, ct) =>
        {
            await client.SendAsync(HttpMethod.Delete, $"bots/{Uri.EscapeDataString(id)}", ApiJsonContext.Default.BotStatus, null, null, ct);
            return ($"{id}: removed", $"{{\"id\":{JsonSerializer.Serialize(id, ApiJsonContext.Default.String)},\"removed\":true}}", ExitCodes.Ok);
        }));
        return command;
    }

    private delegate Task<(string Text, string Json, int Code)> BotAction(ApiClient client, string id, CancellationToken ct);

    private static Task<int> Run(ParseResult parse, string verb, BotAction act)
    {
        var words = parse.GetValue(Ids) ?? [];
        var states = parse.GetValue(States) ?? [];
        if (words.Length == 0 && states.Length == 0)
        {
            Console.Error.WriteLine($"botvisor {verb}: name the bots: ids, globs such as 'shop-*', all, or --state STATE (botvisor {verb} --help)");
            return Task.FromResult(ExitCodes.Usage);
        }
        return ClientOptions.RunAsync(parse, async (client, json, ct) =>
        {
            bool single = BotSelector.IsSingleId(words, states);
            List<string> targets;
            if (single)
            {
                targets = [words[0]];
            }
            else
            {
                var bots = await client.GetJsonAsync("bots", ApiJsonContext.Default.ListBotStatus, ct);
                // rm: a pattern never selects a bot of the fleet file (they cannot be removed through the daemon).
                var candidates = verb == "rm" && words.Any(BotSelector.IsPattern) && words.All(BotSelector.IsPattern)
                    ? bots.Where(b => b.Source == "api").ToList()
                    : bots;
                var (selected, errors) = BotSelector.Select(candidates, words, states);
                if (errors.Count > 0)
                {
                    foreach (var e in errors) Console.Error.WriteLine("botvisor: " + e);
                    return ExitCodes.NotFound;
                }
                if (selected.Count == 0)
                {
                    Console.Error.WriteLine($"botvisor: no bot {(states.Length > 0 ? "is " + string.Join(" or ", states) : "was selected")}; nothing to {verb}");
                    if (json) Console.WriteLine("[]");
                    return ExitCodes.Ok;
                }
                targets = selected.Select(b => b.Id).ToList();
            }

            var results = new (string? Text, string? Json, int Code, ApiProblemException? Problem)[targets.Count];
            using var gate = new SemaphoreSlim(Parallelism);
            await Task.WhenAll(targets.Select(async (id, i) =>
            {
                await gate.WaitAsync(ct);
                try
                {
                    var (text, raw, code) = await act(client, id, ct);
                    results[i] = (text, raw, code, null);
                }
                catch (ApiProblemException ex)
                {
                    results[i] = (null, null, ex.Status == System.Net.HttpStatusCode.NotFound ? ExitCodes.NotFound : ExitCodes.Failed, ex);
                }
                finally
                {
                    gate.Release();
                }
            }));

            int exit = ExitCodes.Ok;
            var array = new StringBuilder("[");
            for (int i = 0; i < results.Length; i++)
            {
                var (text, raw, code, problem) = results[i];
                exit = Math.Max(exit, code);
                if (problem is not null)
                {
                    if (problem.Status == System.Net.HttpStatusCode.NotFound && single)
                    {
                        var known = await client.GetJsonAsync("bots", ApiJsonContext.Default.ListBotStatus, ct);
                        Console.Error.WriteLine("botvisor: " + BotSelector.NoSuchBot(targets[i], known.Select(b => b.Id)));
                    }
                    else
                    {
                        ClientOptions.PrintProblem(problem, prefix: $"botvisor: {targets[i]}: ");
                    }
                    continue;
                }
                if (!json) Console.WriteLine(text);
                else if (single) Console.WriteLine(raw);
                else array.Append(array.Length > 1 ? "," : "").Append(raw);
            }
            if (json && !single) Console.WriteLine(array.Append(']').ToString());
            return exit;
        });
    }
}
