using System.Diagnostics;
using Botvisor.IntegrationTests.Api;
using Botvisor.IntegrationTests.Runners;
using Botvisor.Testing;

namespace Botvisor.IntegrationTests.Telegram;

/// <summary>
/// Real client libraries run unchanged against the emulator (only their base URL differs): a user
/// writes, the sample echo bot answers.
/// </summary>
public class ClientConformanceTests : IAsyncLifetime
{
    private EmulatorHost _emu = null!;

    public async ValueTask InitializeAsync() => _emu = await EmulatorHost.StartAsync();

    public ValueTask DisposeAsync() => _emu.DisposeAsync();

    private static string Samples => Path.Combine(OpenApiBaselineTests.RepositoryRoot(), "samples", "bots");

    [Fact]
    public Task PythonStdlib_EchoBot_Answers() =>
        EchoAsync("python3", [Path.Combine(Samples, "python-stdlib", "echo_bot.py")]);

    [Fact]
    public async Task PythonTelegramBot13_EchoBot_Answers()
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
    public async Task Grammy_EchoBot_Answers()
    {
        var dir = Path.Combine(Samples, "node-grammy");
        Assert.True(Directory.Exists(Path.Combine(dir, "node_modules", "grammy")), $"grammY is not installed: run `npm ci` in {dir} (.ci/run does this)");
        await EchoAsync("node", [Path.Combine(dir, "echo.mjs")]);
    }

    [Fact]
    public async Task TelegramDotBot_EchoBot_Answers()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(Samples, "dotnet-telegram-bot", "bin", configuration, "net10.0", "EchoBot.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first");
        await EchoAsync("dotnet", [dll]);
    }

    private async Task EchoAsync(string program, string[] args)
    {
        var token = await _emu.RegisterAsync("echo_" + Path.GetFileName(program));
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["BOT_TOKEN"] = token;
        psi.Environment["TELEGRAM_API_BASE_URL"] = _emu.BaseUrl;
        using var bot = Process.Start(psi)!;
        var stderr = bot.StandardError.ReadToEndAsync();
        try
        {
            var reply = await _emu.SendAndWaitForReplyAsync(token, "hello from a test", waitSeconds: 60);
            Assert.Equal("echo: hello from a test", reply["text"]!.GetValue<string>());
            Assert.Equal(4242, reply["chat"]!["id"]!.GetValue<long>());
            var second = await _emu.SendAndWaitForReplyAsync(token, "and again");
            Assert.Equal("echo: and again", second["text"]!.GetValue<string>());
            Assert.Equal(0, (await _emu.StatsAsync(token))["conflicts"]!.GetValue<int>());
        }
        catch
        {
            bot.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"{program} bot failed; its stderr:\n{await stderr}");
        }
        finally
        {
            if (!bot.HasExited) bot.Kill(entireProcessTree: true);
            await bot.WaitForExitAsync().WaitAsync(TestTimeouts.Event);
        }
    }
}
