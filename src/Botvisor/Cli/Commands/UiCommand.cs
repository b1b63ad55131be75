using System.CommandLine;
using System.Diagnostics;
using Botvisor.Api.Contracts;

namespace Botvisor.Cli.Commands;

/// <summary>
/// <c>botvisor ui</c>: a one-time link that signs a browser in to the dashboard as the user at the
/// terminal (as <c>nomad ui -authenticate</c> does). Asked for on the local socket (or with a token),
/// so it works when no API token is configured; the link works once, within 2 minutes.
/// </summary>
internal static class UiCommand
{
    private static readonly Option<string?> Base = new("--base")
    {
        Description = "The dashboard's address as the browser reaches it, e.g. behind a reverse proxy: https://bots.example.com/ (default: the daemon's TCP address)",
    };

    private static readonly Option<bool> Open = new("--open") { Description = "Also open the link in the desktop's browser (xdg-open)" };

    public static Command Create()
    {
        var command = new Command("ui", "Print a one-time link that signs a browser in to the web dashboard (works once, within 2 minutes)").With();
        command.Options.Add(Base);
        command.Options.Add(Open);
        command.SetAction((parse, _) => ClientOptions.RunAsync(parse, async (client, json, ct) =>
        {
            var (link, raw) = await client.SendAsync(HttpMethod.Post, "login-links", ApiJsonContext.Default.LoginLinkResponse, null, null, ct);
            var url = LinkUrl(link!, parse.GetValue(Base), client.Endpoint);
            if (json)
            {
                Console.WriteLine(raw.Replace(link!.Url, url, StringComparison.Ordinal));
                return ExitCodes.Ok;
            }
            Console.WriteLine(url);
            Console.Error.WriteLine($"botvisor: the link signs in once, until {link!.ExpiresAt.ToLocalTime():HH:mm:ss}; it is a secret until then");
            if (parse.GetValue(Open)) TryOpen(url);
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The daemon's own address on the local socket; the address the CLI used over TCP; or the one given.</summary>
    private static string LinkUrl(LoginLinkResponse link, string? baseUrl, DaemonEndpoint endpoint)
    {
        if (baseUrl is { Length: > 0 }) return new Uri(new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/"), link.Path).ToString();
        if (endpoint.SocketPath is null) return new Uri(endpoint.BaseAddress, link.Path).ToString();
        return link.Url;
    }

    private static void TryOpen(string url)
    {
        try
        {
            using var opener = Process.Start(new ProcessStartInfo("xdg-open", [url]) { UseShellExecute = false, RedirectStandardError = true });
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Console.Error.WriteLine($"botvisor: cannot open a browser ({ex.Message}); open the link above yourself");
        }
    }
}
