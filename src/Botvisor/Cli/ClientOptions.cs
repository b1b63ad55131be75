using System.CommandLine;

namespace Botvisor.Cli;

/// <summary>Options of every verb that talks to a daemon, and the one place that turns failures into exit codes.</summary>
internal static class ClientOptions
{
    public static readonly Option<string?> Url = new("--url") { Description = "The daemon's API (default: $BOTVISOR_URL, else the local socket, else http://127.0.0.1:7070)" };
    public static readonly Option<string?> Token = new("--token") { Description = "Bearer token for a remote daemon (default: $BOTVISOR_TOKEN)" };
    public static readonly Option<bool> Json = new("--json") { Description = "Print JSON (the API's documents) instead of text, for scripts" };

    public static Command With(this Command command, bool json = true)
    {
        command.Options.Add(Url);
        command.Options.Add(Token);
        command.Options.Add(CommonOptions.StateDir);
        command.Options.Add(CommonOptions.Config);
        if (json) command.Options.Add(Json);
        return command;
    }

    /// <summary>
    /// Prints a problem the daemon answered, each error once (the located <c>problems</c> of a
    /// validation problem, else its detail), and returns its exit code: 4 for not found, else 1.
    /// <paramref name="relocate"/> rewrites a location the daemon could not know (the request body is the user's file).
    /// </summary>
    public static int PrintProblem(ApiProblemException ex, Func<string, string>? relocate = null, string prefix = "botvisor: ")
    {
        relocate ??= static s => s;
        if (ex.Problem is { Problems: { Length: > 0 } problems })
        {
            Console.Error.WriteLine($"{prefix}{ex.Problem.Title ?? "invalid"}:");
            foreach (var p in problems) Console.Error.WriteLine("  " + relocate(p));
        }
        else if (ex.Problem is { Errors: { Count: > 0 } errors })
        {
            Console.Error.WriteLine($"{prefix}{ex.Problem.Title ?? "invalid"}:");
            foreach (var (field, messages) in errors)
            {
                foreach (var m in messages) Console.Error.WriteLine($"  {field}: {m}");
            }
        }
        else
        {
            Console.Error.WriteLine(prefix + relocate(ex.Message));
        }
        return ex.Status == System.Net.HttpStatusCode.NotFound ? ExitCodes.NotFound : ExitCodes.Failed;
    }

    /// <summary>Runs <paramref name="action"/> against the daemon; Ctrl-C ends it with 0.</summary>
    public static async Task<int> RunAsync(ParseResult parse, Func<ApiClient, bool, CancellationToken, Task<int>> action)
    {
        var endpoint = DaemonEndpoint.Resolve(parse.GetValue(Url), parse.GetValue(Token), parse.GetValue(CommonOptions.StateDir), parse.GetValue(CommonOptions.Config));
        using var client = new ApiClient(endpoint);
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return await action(client, parse.GetValue(Json), cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
        catch (DaemonUnreachableException ex)
        {
            Console.Error.WriteLine("botvisor: " + ex.Message);
            Console.Error.WriteLine("hint: start it with `botvisor run --config botvisor.yaml`, or point BOTVISOR_URL (and BOTVISOR_TOKEN) at a running one");
            return ExitCodes.DaemonUnreachable;
        }
        catch (ApiProblemException ex)
        {
            return PrintProblem(ex);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
