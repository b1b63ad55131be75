using System.CommandLine;
using System.CommandLine.Completions;
using Botvisor.Api.Contracts;

namespace Botvisor.Cli.Commands;

/// <summary>
/// <c>botvisor completion bash|zsh|fish</c>: a script for the shell that asks <c>botvisor</c> itself
/// (System.CommandLine's <c>[suggest:N]</c> directive) what may come next: verbs, options, and the ids
/// of the running daemon's bots.
/// </summary>
internal static class CompletionCommand
{
    private static readonly Argument<string> Shell = new("shell") { Description = "bash, zsh or fish" };

    static CompletionCommand()
    {
        Shell.AcceptOnlyFromAmong("bash", "zsh", "fish");
    }

    public static Command Create()
    {
        var command = new Command("completion", "Print a shell completion script: source <(botvisor completion bash), or see the README");
        command.Arguments.Add(Shell);
        command.SetAction(parse =>
        {
            Console.Out.Write(parse.GetValue(Shell) switch
            {
                "bash" => Bash,
                "zsh" => Zsh,
                _ => Fish,
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Completes an id argument with the bots of the daemon this command line would reach (nothing when none answers).</summary>
    public static T WithBotIds<T>(this T argument) where T : Argument
    {
        argument.CompletionSources.Add(context =>
        {
            try
            {
                var parse = context.ParseResult;
                var endpoint = DaemonEndpoint.Resolve(parse.GetValue(ClientOptions.Url), parse.GetValue(ClientOptions.Token), parse.GetValue(CommonOptions.StateDir), parse.GetValue(CommonOptions.Config));
                using var client = new ApiClient(endpoint);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                var bots = client.GetJsonAsync("bots", ApiJsonContext.Default.ListBotStatus, cts.Token).GetAwaiter().GetResult();
                var word = context.WordToComplete;
                return bots.Select(b => b.Id).Where(id => id.StartsWith(word, StringComparison.Ordinal)).Select(id => new CompletionItem(id));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return [];
            }
        });
        return argument;
    }

    // Each script passes the line up to the cursor, without the program's name, to `botvisor [suggest:N]`
    // (and leaves out the Windows-style /? and /h that System.CommandLine also offers).
    internal const string Bash = """
        # botvisor completion for bash: source <(botvisor completion bash), or install as
        # /usr/share/bash-completion/completions/botvisor
        _botvisor() {
            local line="${COMP_LINE:0:$COMP_POINT}"
            local args="${line#*[[:space:]]}"
            [[ "$args" == "$line" ]] && args=""
            local IFS=$'\n'
            COMPREPLY=($(compgen -W "$(command "${COMP_WORDS[0]}" "[suggest:${#args}]" "$args" 2>/dev/null | grep -v '^/')" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -F _botvisor botvisor

        """;

    internal const string Zsh = """
        #compdef botvisor
        # botvisor completion for zsh: source <(botvisor completion zsh), or install as _botvisor in a directory of $fpath
        _botvisor() {
            local line="${BUFFER[1,$CURSOR]}"
            local args="${line#*[[:space:]]}"
            [[ "$args" == "$line" ]] && args=""
            local -a candidates
            candidates=("${(@f)$(command ${words[1]} "[suggest:${#args}]" "$args" 2>/dev/null | grep -v '^/')}")
            compadd -a candidates
        }
        if [[ "$funcstack[1]" == "_botvisor" ]]; then _botvisor "$@"; else compdef _botvisor botvisor; fi

        """;

    internal const string Fish = """
        # botvisor completion for fish: botvisor completion fish > ~/.config/fish/completions/botvisor.fish
        function __botvisor_complete
            set -l line (commandline -cp)
            set -l args (string replace -r '^\S+\s*' '' -- $line)
            botvisor "[suggest:"(string length -- "$args")"]" "$args" 2>/dev/null | string match -v -r '^/'
        end
        complete -c botvisor -f -a '(__botvisor_complete)'

        """;
}
