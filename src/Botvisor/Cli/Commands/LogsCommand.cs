using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Botvisor.Cli.Commands;

/// <summary>
/// <c>botvisor logs ID [-f] [-n N] [--json]</c>: a bot's recent output; <c>-f</c> follows until Ctrl-C.
/// When no daemon answers on this machine, the bot's log file in the state directory is read instead.
/// </summary>
internal static class LogsCommand
{
    private static readonly Argument<string> Id = new Argument<string>("id") { Description = "The bot's id" }.WithBotIds();
    private static readonly Option<bool> Follow = new("--follow", "-f") { Description = "Keep printing new lines until Ctrl-C" };
    private static readonly Option<int> Lines = new("--lines", "-n") { Description = "How many recent lines", DefaultValueFactory = _ => 100 };

    public static Command Create()
    {
        var command = new Command("logs", "Print a bot's output (tokens masked); without a running daemon, from its log file").With();
        command.Options.Remove(ClientOptions.Json);
        command.Options.Add(new Option<bool>("--json") { Description = "One JSON object a line: {\"time\", \"stream\", \"text\"}" });
        command.Arguments.Add(Id);
        command.Options.Add(Follow);
        command.Options.Add(Lines);
        command.SetAction(async (parse, _) =>
        {
            var id = parse.GetValue(Id)!;
            var lines = Math.Max(0, parse.GetValue(Lines));
            bool follow = parse.GetValue(Follow);
            bool json = parse.GetValue<bool>("--json");
            bool explicitUrl = parse.GetValue(ClientOptions.Url) is not null || Environment.GetEnvironmentVariable("BOTVISOR_URL") is { Length: > 0 };
            // No socket in the state directory, and the bot's log file is there: no daemon runs on it
            // (whatever may listen on the default port), so the file is the answer.
            var stateDir = StateDirectory(parse);
            bool daemonDown = !explicitUrl && !File.Exists(Path.Combine(stateDir, Hosting.DaemonOptions.SocketFileName))
                && !id.Contains('/', StringComparison.Ordinal) && File.Exists(Path.Combine(stateDir, "logs", id + ".log"));
            if (daemonDown) return await FromFileAsync(parse, id, lines, follow, json);
            int code = await ClientOptions.RunAsync(parse, async (client, _, ct) =>
            {
                HttpResponseMessage response;
                try
                {
                    response = await client.StreamAsync($"bots/{Uri.EscapeDataString(id)}/logs?tail={lines.ToString(CultureInfo.InvariantCulture)}&follow={(follow ? "true" : "false")}", ct);
                }
                catch (DaemonUnreachableException) when (!explicitUrl)
                {
                    daemonDown = true;
                    return ExitCodes.Ok;
                }
                using (response)
                {
                    await using var stream = await response.Content.ReadAsStreamAsync(ct);
                    using var reader = new StreamReader(stream);
                    while (await reader.ReadLineAsync(ct) is { } line) Print(line, json);
                }
                return ExitCodes.Ok;
            });
            if (!daemonDown) return code;
            return await FromFileAsync(parse, id, lines, follow, json);
        });
        return command;
    }

    /// <summary>The daemon is not running: the bot's log file (and the newest rotated one, for enough lines).</summary>
    private static async Task<int> FromFileAsync(ParseResult parse, string id, int lines, bool follow, bool json)
    {
        var directory = Path.Combine(StateDirectory(parse), "logs");
        var path = Path.Combine(directory, id + ".log");
        if (id.Contains('/', StringComparison.Ordinal) || !File.Exists(path))
        {
            var known = Directory.Exists(directory) ? Directory.GetFiles(directory, "*.log").Select(f => Path.GetFileNameWithoutExtension(f)!) : [];
            var suggestion = Core.Configuration.SpellingSuggester.Suggest(id, known.ToList());
            Console.Error.WriteLine($"botvisor: the daemon is not running, and {directory} has no log of a bot '{id}'{(suggestion is null ? "" : $"; did you mean '{suggestion}'?")}");
            return ExitCodes.NotFound;
        }
        Console.Error.WriteLine($"botvisor: the daemon is not running; reading {path}");
        var rotated = path + ".1";
        var all = new List<string>();
        try
        {
            if (File.Exists(rotated)) all.AddRange(ReadLines(rotated));
            all.AddRange(ReadLines(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"botvisor: cannot read {path}: {ex.Message}");
            return ExitCodes.Failed;
        }
        foreach (var line in all.Skip(Math.Max(0, all.Count - lines))) Print(line, json);
        if (!follow) return ExitCodes.Ok;

        // Follow the file as tail -f does (the daemon may start and append to it again); Ctrl-C ends it.
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        long position = new FileInfo(path).Length;
        try
        {
            while (!cts.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), cts.Token);
                var length = new FileInfo(path).Length;
                if (length < position) position = 0; // rotated
                if (length == position) continue;
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                file.Position = position;
                using var reader = new StreamReader(file);
                while (reader.ReadLine() is { } line) Print(line, json);
                position = length;
            }
        }
        catch (OperationCanceledException)
        {
        }
        return ExitCodes.Ok;
    }

    private static string StateDirectory(ParseResult parse) =>
        DaemonEndpoint.StateDirectory(parse.GetValue(CommonOptions.StateDir), parse.GetValue(CommonOptions.Config));

    private static IEnumerable<string> ReadLines(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(file);
        var result = new List<string>();
        while (reader.ReadLine() is { } line) result.Add(line);
        return result;
    }

    /// <summary>A line as the daemon writes it (<c>2026-11-24T10:00:00.123Z stdout text</c>), as it is or as JSON.</summary>
    private static void Print(string line, bool json)
    {
        if (!json)
        {
            Console.Out.WriteLine(line);
        }
        else
        {
            int first = line.IndexOf(' ', StringComparison.Ordinal);
            int second = first < 0 ? -1 : line.IndexOf(' ', first + 1);
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                if (second < 0)
                {
                    w.WriteString("text", line);
                }
                else
                {
                    w.WriteString("time", line[..first]);
                    w.WriteString("stream", line[(first + 1)..second]);
                    w.WriteString("text", line[(second + 1)..]);
                }
                w.WriteEndObject();
            }
            Console.Out.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        }
        Console.Out.Flush();
    }
}
