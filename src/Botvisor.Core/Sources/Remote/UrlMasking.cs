namespace Botvisor.Core.Sources.Remote;

/// <summary>
/// A source's URL as it may be shown in status, events and logs: the user name and password (and the
/// values of query parameters whose names say they are secrets: key, token, secret, password, auth,
/// signature) become <c>****</c>.
/// </summary>
public static class UrlMasking
{
    private static readonly string[] SecretWords = ["key", "token", "secret", "password", "passwd", "pwd", "auth", "signature", "sig", "credential", "jwt", "session", "code"];

    public static string Mask(Uri url)
    {
        var builder = new UriBuilder(url);
        if (builder.UserName.Length > 0) builder.UserName = "****";
        if (builder.Password.Length > 0) builder.Password = "****";
        if (builder.Query.Length > 1)
        {
            var parts = builder.Query.TrimStart('?').Split('&');
            for (int i = 0; i < parts.Length; i++)
            {
                int eq = parts[i].IndexOf('=', StringComparison.Ordinal);
                if (eq > 0 && IsSecretName(parts[i][..eq])) parts[i] = parts[i][..(eq + 1)] + "****";
            }
            builder.Query = string.Join('&', parts);
        }
        return builder.Uri.ToString();
    }

    public static bool IsSecretName(string name)
    {
        var lower = Uri.UnescapeDataString(name).ToLowerInvariant();
        return SecretWords.Any(w => lower.Contains(w, StringComparison.Ordinal));
    }
}
