using System.Security.Cryptography;
using System.Text;

namespace Botvisor.Api.Auth;

/// <summary>Finds the configured API token a caller presented, comparing every one in constant time.</summary>
public sealed class ApiTokenMatcher(ApiSecurityOptions options)
{
    private readonly (string Name, byte[] Secret)[] _tokens =
        options.Tokens.Select(kv => (kv.Key, Encoding.UTF8.GetBytes(kv.Value))).ToArray();

    public bool Any => _tokens.Length > 0;

    /// <summary>The token's name, or null when it matches none.</summary>
    public string? Match(string presented)
    {
        var bytes = Encoding.UTF8.GetBytes(presented.Trim());
        string? found = null;
        foreach (var (name, secret) in _tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(bytes, secret)) found ??= name;
        }
        return found;
    }
}
