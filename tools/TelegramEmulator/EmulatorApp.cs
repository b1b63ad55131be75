namespace TelegramEmulator;

/// <summary>Builds the emulator: <c>--urls http://127.0.0.1:8081</c>, <c>--bot username=TOKEN</c> (repeatable).</summary>
public static class EmulatorApp
{
    public static WebApplication Create(string[] args)
    {
        var bots = new List<(string Username, string? Token)>();
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--bot" && i + 1 < args.Length)
            {
                var spec = args[++i];
                int eq = spec.IndexOf('=', StringComparison.Ordinal);
                bots.Add(eq < 0 ? (spec, null) : (spec[..eq], spec[(eq + 1)..]));
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        var builder = WebApplication.CreateSlimBuilder(rest.ToArray());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("TelegramEmulator", LogLevel.Information);
        builder.Services.AddSingleton(TimeProvider.System);
        // Long polls are open requests; on SIGTERM they are abandoned rather than waited for.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        builder.Services.AddSingleton<BotRegistry>();
        var app = builder.Build();

        var registry = app.Services.GetRequiredService<BotRegistry>();
        foreach (var (username, token) in bots)
        {
            var bot = registry.Register(username, token);
            Console.WriteLine($"bot @{bot.Username} registered (id {bot.Id})");
        }
        BotApiEndpoints.Map(app);
        ControlEndpoints.Map(app);
        ChatControlEndpoints.Map(app);
        app.MapGet("/", () => Results.Text("Telegram Bot API emulator: /bot<token>/<method>; control API under /_emulator\n"));
        return app;
    }
}
