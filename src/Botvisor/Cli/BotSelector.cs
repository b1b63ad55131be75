using System.Text.RegularExpressions;
using Botvisor.Api.Contracts;
using Botvisor.Core.Configuration;

namespace Botvisor.Cli;

/// <summary>
/// Which bots a verb acts on, as pm2 and supervisorctl select them: ids, <c>all</c>, globs
/// (<c>'shop-*'</c>, <c>?</c>, <c>[ab]</c>) and <c>--state STATE</c>. A name that matches nothing is an
/// error (exit 4) with the closest id suggested.
/// </summary>
internal static class BotSelector
{
    /// <summary>True when a word is a pattern rather than one id.</summary>
    public static bool IsPattern(string word) => word == "all" || word.AsSpan().IndexOfAny("*?[") >= 0;

    /// <summary>Whether the words can be used as they are (one plain id, no state filter), without asking the daemon for its bots.</summary>
    public static bool IsSingleId(IReadOnlyList<string> words, IReadOnlyList<string> states) =>
        words.Count == 1 && states.Count == 0 && !IsPattern(words[0]);

    /// <summary>
    /// The selected bots in the daemon's order, or the error to print (every name that matched
    /// nothing, with a suggestion). With only <paramref name="states"/>, every bot in those states.
    /// </summary>
    public static (List<BotStatus> Selected, List<string> Errors) Select(IReadOnlyList<BotStatus> bots, IReadOnlyList<string> words, IReadOnlyList<string> states)
    {
        var errors = new List<string>();
        var chosen = new HashSet<string>(StringComparer.Ordinal);
        if (words.Count == 0)
        {
            foreach (var b in bots) chosen.Add(b.Id);
        }
        foreach (var word in words)
        {
            var matches = bots.Where(b => Matches(word, b.Id)).ToList();
            if (matches.Count == 0)
            {
                errors.Add(word == "all" ? "there are no bots" : NoSuchBot(word, bots.Select(b => b.Id)));
                continue;
            }
            foreach (var m in matches) chosen.Add(m.Id);
        }
        var selected = bots.Where(b => chosen.Contains(b.Id) && (states.Count == 0 || states.Contains(b.State, StringComparer.OrdinalIgnoreCase))).ToList();
        return (selected, errors);
    }

    public static string NoSuchBot(string id, IEnumerable<string> known)
    {
        var ids = known.ToList();
        var suggestion = SpellingSuggester.Suggest(id, ids);
        return IsPattern(id)
            ? $"no bot matches '{id}'"
            : suggestion is null ? $"no bot has the id '{id}'" : $"no bot has the id '{id}'; did you mean '{suggestion}'?";
    }

    public static bool Matches(string word, string id) =>
        word == "all" || (IsPattern(word) ? Regex.IsMatch(id, GlobToRegex(word), RegexOptions.CultureInvariant) : word == id);

    /// <summary>A shell glob as an anchored regular expression: <c>*</c>, <c>?</c>, <c>[…]</c>; everything else literal.</summary>
    public static string GlobToRegex(string glob)
    {
        var sb = new System.Text.StringBuilder("^");
        for (int i = 0; i < glob.Length; i++)
        {
            char c = glob[i];
            switch (c)
            {
                case '*': sb.Append(".*"); break;
                case '?': sb.Append('.'); break;
                case '[':
                    int close = glob.IndexOf(']', i + 1);
                    if (close < 0)
                    {
                        sb.Append(@"\[");
                        break;
                    }
                    var set = glob[(i + 1)..close];
                    if (set.StartsWith('!')) set = "^" + set[1..];
                    sb.Append('[').Append(set.Replace(@"\", @"\\", StringComparison.Ordinal)).Append(']');
                    i = close;
                    break;
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return sb.Append('$').ToString();
    }
}
