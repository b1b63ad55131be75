using System.Diagnostics;
using System.Text;
using Botvisor.IntegrationTests.Api;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.Telegram;

/// <summary>
/// Real client libraries run unchanged behind the daemon's Bot API gateway (only their base URL comes
/// from TELEGRAM_API_BASE_URL): getMe, long polling, sendMessage, a file download (getFile and
/// /file/bot&lt;token&gt;/&lt;path&gt;) and an upload (multipart sendDocument), with a placeholder token
/// in place of the real one, which never reaches the worker.
/// </summary>
[Collection(Daemon.DaemonCollection.Name)]
public class ClientConformanceTests : IAsyncLifetime
{
    private EmulatorHost _emu = null!;

    public async ValueTask InitializeAsync() => _emu = await EmulatorHost.StartAsync();

    public ValueTask DisposeAsync() => _emu.DisposeAsync();

    private static string Samples => Path.Combine(OpenApiBaselineTests.RepositoryRoot(), "samples", "bots");

    [Fact]
    public Task PythonStdlib_EchoBot_AnswersThroughTheGateway() =>
        EchoAsync("python3", [Path.Combine(Samples, "python-stdlib", "echo_bot.py")]);

    [Fact]
    public async Task PythonTelegramBot13_EchoBot_AnswersThroughTheGateway()
    {
        // Debian's package installs into the system Python (/usr/bin/python3), which may not be the first python3 on PATH.
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        using (var check = Process.Start(new ProcessStartInfo(python, ["-c", "import telegram, sys; sys.exit(0 if telegram.__version__.startswith('13.') else 1)"]) { RedirectStandardError = true })!)
        {
            await check.WaitForExitAsync();
            Assert.True(check.ExitCode == 0, "python-telegram-bot 13 is missing: apt-get install python3-python-telegram-bot (.ci/run does this)");
        }
        await EchoAsync(python, [Path.Combine(Samples, "python-telegram-bot", "echo_ptb.py")]);
    }

    [Fact]
    public async Task Grammy_EchoBot_AnswersThroughTheGateway()
    {
        var dir = Path.Combine(Samples, "node-grammy");
        Assert.True(Directory.Exists(Path.Combine(dir, "node_modules", "grammy")), $"grammY is not installed: run `npm ci` in {dir} (.ci/run does this)");
        await EchoAsync("node", [Path.Combine(dir, "echo.mjs")]);
    }

    [Fact]
    public async Task Telegraf_EchoBot_AnswersThroughTheGateway()
    {
        var dir = Path.Combine(Samples, "node-telegraf");
        Assert.True(Directory.Exists(Path.Combine(dir, "node_modules", "telegraf")), $"Telegraf is not installed: run `npm ci` in {dir} (tests/run does this)");
        await EchoAsync("node", [Path.Combine(dir, "echo.mjs")]);
    }

    [Fact]
    public async Task NodeTelegramBotApi_EchoBot_AnswersThroughTheGateway()
    {
        var dir = Path.Combine(Samples, "node-telegram-bot-api");
        Assert.True(Directory.Exists(Path.Combine(dir, "node_modules", "node-telegram-bot-api")), $"node-telegram-bot-api is not installed: run `npm ci` in {dir} (tests/run does this)");
        await EchoAsync("node", [Path.Combine(dir, "echo.mjs")]);
    }

    [Fact]
    public async Task TelegramDotBot_EchoBot_AnswersThroughTheGateway()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(Samples, "dotnet-telegram-bot", "bin", configuration, "net10.0", "EchoBot.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first");
        await EchoAsync("dotnet", [dll]);
    }

    private async Task EchoAsync(string program, string[] args)
    {
        var token = await _emu.RegisterAsync("echo_" + Path.GetFileName(program));
        var command = string.Join(", ", new[] { program }.Concat(args).Select(a => $"\"{a}\""));
        using var fleet = new TempFleet().Write($$"""
            defaults:
              gateway: true
            bots:
              echo:
                command: [{{command}}]
                token: "{{token}}"
                telegram: { api_base_url: "{{_emu.BaseUrl}}" }
            """);
        await using var daemon = DaemonRunner.Start(fleet.ConfigPath, fleet.StateDir);
        int pid = await daemon.WaitForRunningAsync("echo");
        try
        {
            var environ = GatewayAssertions.Environment(pid);
            Assert.DoesNotContain(token, string.Join('\n', environ.Values));
            Assert.Matches("^[0-9]+:[A-Za-z0-9_-]{35}$", environ["BOT_TOKEN"]);
            Assert.Equal(environ["BOT_TOKEN"], environ["TELEGRAM_BOT_TOKEN"]);
            Assert.StartsWith("http://127.0.0.1:", environ["TELEGRAM_API_BASE_URL"], StringComparison.Ordinal);
            Assert.NotEqual(_emu.BaseUrl, environ["TELEGRAM_API_BASE_URL"]);

            var reply = await _emu.SendAndWaitForReplyAsync(token, "hello from a test", waitSeconds: 60);
            Assert.Equal("echo: hello from a test", reply["text"]!.GetValue<string>());
            Assert.Equal(4242, reply["chat"]!["id"]!.GetValue<long>());

            var content = new byte[300 * 1024];
            Random.Shared.NextBytes(content);
            var withFile = await _emu.SendDocumentAndWaitForReplyAsync(token, "report.bin", content, waitSeconds: 60);
            Assert.Equal($"echo: report.bin ({content.Length} bytes)", withFile["caption"]!.GetValue<string>());
            Assert.Equal(content, await _emu.FileAsync(withFile["document"]!["file_id"]!.GetValue<string>()));

            var second = await _emu.SendAndWaitForReplyAsync(token, "and again");
            Assert.Equal("echo: and again", second["text"]!.GetValue<string>());
            Assert.Equal(0, (await _emu.StatsAsync(token))["conflicts"]!.GetValue<int>());

            // Through the gateway, as status counts it: getMe, long polling, sendMessage, the download and the upload.
            using var api = await daemon.HttpAsync();
            var methods = System.Text.Json.JsonDocument.Parse(await api.GetStringAsync("/bots/echo")).RootElement.GetProperty("gateway").GetProperty("methods");
            foreach (var method in new[] { "getMe", "getUpdates", "sendMessage", "getFile", "file", "sendDocument" })
            {
                Assert.True(methods.TryGetProperty(method, out var counted) && counted.GetProperty("calls").GetInt64() > 0, $"no {method} through the gateway: {methods}");
            }
        }
        catch (Exception ex)
        {
            var log = Path.Combine(fleet.StateDir, "logs", "echo.log");
            throw new Xunit.Sdk.XunitException($"{program} bot failed: {ex.Message}\nits log:\n{(File.Exists(log) ? await File.ReadAllTextAsync(log) : "(none)")}");
        }
        daemon.Signal("TERM");
        await daemon.WaitForExitAsync();
        GatewayAssertions.NoTokenIn(token, fleet.StateDir, daemon);
    }
}

/// <summary>What every gateway test checks: the real token is nowhere a worker or a log could show it.</summary>
internal static class GatewayAssertions
{
    /// <summary>The environment of a live process, from /proc/&lt;pid&gt;/environ.</summary>
    public static Dictionary<string, string> Environment(int pid)
    {
        var raw = File.ReadAllText($"/proc/{pid}/environ", Encoding.UTF8);
        return raw.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal);
    }

    /// <summary>No file of the state directory (logs, database, …) and no line the daemon wrote holds the token or its secret half.</summary>
    public static void NoTokenIn(string token, string stateDir, DaemonRunner daemon)
    {
        var secret = token[(token.IndexOf(':', StringComparison.Ordinal) + 1)..];
        foreach (var file in Directory.EnumerateFiles(stateDir, "*", SearchOption.AllDirectories))
        {
            if (file.EndsWith(".sock", StringComparison.Ordinal)) continue;
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(file);
            }
            catch (IOException)
            {
                continue; // a socket or a file that went away
            }
            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, $"the real token is in {file}");
        }
        foreach (var line in daemon.Entries.Select(e => e.Message).Concat(daemon.Stderr))
        {
            Assert.DoesNotContain(secret, line, StringComparison.Ordinal);
        }
    }
}
