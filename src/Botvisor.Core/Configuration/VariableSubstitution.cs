using System.Text;

namespace Botvisor.Core.Configuration;

/// <summary>
/// Expands <c>${VAR}</c> and <c>${VAR:-default}</c> in fleet-file values; <c>$$</c> is a literal <c>$</c>.
/// Variables come from the process environment first, then from the fleet's env files.
/// </summary>
public sealed class VariableSubstitution
{
    private readonly Func<string, string?> _lookup;

    public VariableSubstitution(Func<string, string?> lookup, IDictionary<string, string>? used = null)
    {
        _lookup = lookup;
        _used = used;
    }

    private readonly IDictionary<string, string>? _used;

    /// <summary>Expands <paramref name="text"/>; returns false with the undefined variable names when one is missing.</summary>
    public bool TryExpand(string text, out string result, out List<string> undefined)
    {
        undefined = [];
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            result = text;
            return true;
        }

        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c != '$' || i + 1 >= text.Length)
            {
                sb.Append(c);
                continue;
            }
            char next = text[i + 1];
            if (next == '$')
            {
                sb.Append('$');
                i++;
                continue;
            }
            if (next != '{')
            {
                sb.Append(c);
                continue;
            }
            int close = text.IndexOf('}', i + 2);
            if (close < 0)
            {
                sb.Append(text, i, text.Length - i);
                break;
            }
            var inner = text.AsSpan(i + 2, close - i - 2);
            string name;
            string? fallback = null;
            int sep = inner.IndexOf(":-", StringComparison.Ordinal);
            if (sep >= 0)
            {
                name = inner[..sep].ToString();
                fallback = inner[(sep + 2)..].ToString();
            }
            else
            {
                name = inner.ToString();
            }
            var value = _lookup(name);
            if (value is not null && _used is not null) _used[name] = value; // what a cluster's fleet document carries
            if (string.IsNullOrEmpty(value)) value = fallback ?? value;
            if (value is null) undefined.Add(name);
            else sb.Append(value);
            i = close;
        }
        result = sb.ToString();
        return undefined.Count == 0;
    }
}
