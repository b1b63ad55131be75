using System.Text;

namespace Botvisor.Core.Configuration;

/// <summary>
/// Splits a command written as one string into argv the way a POSIX shell would split words
/// (single and double quotes, backslash escapes), without running a shell. Shell operators
/// (pipes, redirections, <c>;</c>, <c>&amp;&amp;</c>, <c>$(…)</c>) are refused: a bot that needs a shell says so
/// with <c>["sh", "-c", "…"]</c>.
/// </summary>
public static class CommandLineSplitter
{
    public static bool TrySplit(string command, out IReadOnlyList<string> argv, out string? error)
    {
        var args = new List<string>();
        var current = new StringBuilder();
        bool inWord = false;
        argv = args;
        error = null;

        for (int i = 0; i < command.Length; i++)
        {
            char c = command[i];
            switch (c)
            {
                case ' ' or '\t' or '\n' or '\r':
                    if (inWord)
                    {
                        args.Add(current.ToString());
                        current.Clear();
                        inWord = false;
                    }
                    break;
                case '\'':
                    int close = command.IndexOf('\'', i + 1);
                    if (close < 0) { error = "the command has an unterminated single quote"; return false; }
                    current.Append(command, i + 1, close - i - 1);
                    i = close;
                    inWord = true;
                    break;
                case '"':
                    i++;
                    while (i < command.Length && command[i] != '"')
                    {
                        if (command[i] == '\\' && i + 1 < command.Length && command[i + 1] is '"' or '\\' or '$' or '`')
                        {
                            i++;
                        }
                        else if (command[i] is '$' or '`')
                        {
                            error = "the command expands variables or commands inside double quotes, which needs a shell; write it as [\"sh\", \"-c\", \"...\"]";
                            return false;
                        }
                        current.Append(command[i]);
                        i++;
                    }
                    if (i >= command.Length) { error = "the command has an unterminated double quote"; return false; }
                    inWord = true;
                    break;
                case '\\':
                    if (i + 1 < command.Length) current.Append(command[++i]);
                    inWord = true;
                    break;
                case '|' or '&' or ';' or '<' or '>' or '`' or '(' or ')':
                    error = $"the command uses the shell operator '{c}', which needs a shell; write it as [\"sh\", \"-c\", \"...\"]";
                    return false;
                case '$':
                    error = "the command expands a shell variable, which needs a shell; use ${VAR} fleet-file substitution or [\"sh\", \"-c\", \"...\"]";
                    return false;
                default:
                    current.Append(c);
                    inWord = true;
                    break;
            }
        }
        if (inWord) args.Add(current.ToString());
        if (args.Count == 0)
        {
            error = "the command is empty";
            return false;
        }
        return true;
    }
}
