using System.CommandLine;

namespace Botvisor.Cli.Commands;

/// <summary><c>botvisor init [FILE]</c>: writes a commented starter fleet file; never overwrites one.</summary>
internal static class InitCommand
{
    private static readonly Argument<string?> File = new("file")
    {
        Description = "Where to write it (default: --config, $BOTVISOR_CONFIG or ./botvisor.yaml)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<string?> StateDir = new("--state-dir") { Description = "Write this state_dir into the file (default: .botvisor next to it)" };

    public static Command Create()
    {
        var command = new Command("init", "Write a commented starter fleet file (refuses to overwrite one)");
        command.Arguments.Add(File);
        command.Options.Add(CommonOptions.Config);
        command.Options.Add(StateDir);
        command.SetAction(parse => Invoke(parse.GetValue(File) ?? parse.GetValue(CommonOptions.Config), parse.GetValue(StateDir)));
        return command;
    }

    public static int Invoke(string? file, string? stateDir = null)
    {
        var path = file is null ? CommonOptions.ResolveConfigPath(null) : Path.GetFullPath(file);
        var text = stateDir is null ? Starter : Starter.Replace(StateDirLine, $"state_dir: {Path.GetFullPath(stateDir)}", StringComparison.Ordinal);
        try
        {
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            using var writer = new StreamWriter(stream);
            writer.Write(text);
        }
        catch (IOException) when (System.IO.File.Exists(path))
        {
            Console.Error.WriteLine($"botvisor init: {path} already exists; it is left as it is (remove it first, or name another file)");
            return ExitCodes.Failed;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"botvisor init: cannot write {path}: {ex.Message}");
            return ExitCodes.Failed;
        }
        var shown = Path.GetRelativePath(Environment.CurrentDirectory, path);
        Console.WriteLine($"wrote {path}; edit it, check it with `botvisor validate {shown}`, then start with `botvisor run --config {shown}`");
        return ExitCodes.Ok;
    }

    private const string StateDirLine = "# state_dir: .botvisor";

    /// <summary>Valid as written: one bot that needs nothing but sh; the rest shows what can be set.</summary>
    internal const string Starter = """
        # Botvisor fleet file: every bot Botvisor keeps running. Check it with `botvisor validate`,
        # run it with `botvisor run`; after an edit, `botvisor reload` (or SIGHUP) applies only what changed.
        # More: samples/fleet/botvisor.yaml and the README's "The fleet file".

        # env_file: .env              # KEY=VALUE lines for ${VAR} below (the environment wins)
        # state_dir: .botvisor        # database, lock and logs (default: .botvisor next to this file)

        defaults:                     # every setting here can also be set per bot
          restart: on-failure         # always | on-failure | never
          backoff: { initial: 1s, multiplier: 2, max: 1m, jitter: 0.2 }
          max_restarts: 10            # restarts in a row without a stable run (min_uptime), then failed
          min_uptime: 30s
          stop_timeout: 10s           # SIGTERM to the bot's process group, then SIGKILL after this long
          logs: { max_size: 10MiB, max_files: 5 }
          # memory_max: 256MiB        # IEC (KiB, MiB, GiB) or SI (kB, MB, GB) units
          # cpu_max: 0.5              # half of one CPU

        bots:
          # A real bot: its token from the environment (or env_file), never written here.
          # echo:
          #   command: ["python3", "echo.py"]   # an argv list, or one string split as a shell would
          #   cwd: bots                         # relative to this file
          #   token: ${ECHO_BOT_TOKEN}          # BOT_TOKEN and TELEGRAM_BOT_TOKEN in the bot's environment
          #   env: { LOG_LEVEL: info }

          hello:                      # ids: a-z, 0-9, _ and -
            command: ["sh", "-c", "echo hello from $BOTVISOR_BOT_ID; exec sleep 3600"]
            restart: always

        # The daemon's own Telegram bot: /status, /logs, /restart… for these users; alerts to these chats.
        # admin:
        #   token: ${ADMIN_BOT_TOKEN}       # a bot of its own from @BotFather (not one of the bots above)
        #   users: [123456789]              # Telegram user ids it answers
        #   chats: [123456789]              # where alerts go
        # alerts:
        #   webhooks: [https://example.com/botvisor-alerts]   # JSON; see the README's "The admin bot and alerts"

        """;
}
