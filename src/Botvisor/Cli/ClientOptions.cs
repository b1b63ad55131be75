using System.CommandLine;

namespace Botvisor.Cli;

/// <summary>Options of every verb that talks to a daemon, and the one place that turns failures into exit codes.</summary>
internal static class ClientOptions
{
    public static readonly Option<string?> Url = new("--url") { Description = "The daemon's API (default: $BOTVISOR_URL, else the local socket, else http://127.0.0.1:7070)" };
    public static readonly Option<string?> Token = new("--token") { Description = "Bearer token for a remote daemon (default: $BOTVISOR_TOKEN)" };
    public static readonly Option<bool> Json = new("--json") { Description = "Print the API's JSON instead of a table" };

    public static Command With(this Command command, bool json = true)
    {
        command.Options.Add(Url);
        command.Options.Add(Token);
        command.Options.Add(CommonOptions.StateDir);
        command.Options.Add(CommonOptions.Config);
        if (json) command.Options.Add(Json);
        return command;
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
            Console.Error.WriteLine($"botvisor: {ex.Message}");
            foreach (var (field, messages) in ex.Problem?.Errors ?? [])
            {
                foreach (var m in messages) Console.Error.WriteLine($"  {field}: {m}");
            }
            return ex.Status == System.Net.HttpStatusCode.NotFound ? ExitCodes.NotFound : ExitCodes.Failed;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
