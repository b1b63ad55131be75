namespace TelegramEmulator;

/// <summary>
/// Builds the emulator: <c>--urls http://127.0.0.1:8081</c> (or <c>https://</c> with a certificate, speaking HTTP/2 like
/// api.telegram.org), <c>--bot username=TOKEN</c> (repeatable); its
/// platform side (a Sensay-shaped list of replicas, see Platform/): <c>--replica slug=TOKEN@service</c>
/// (repeatable; the token is registered as a bot too) and the <c>X-ORGANIZATION-SECRET</c> it asks for in
/// <c>$PLATFORM_SECRET</c> (or <c>--platform-secret SECRET</c>).
/// </summary>
public static class EmulatorApp
{
    public static WebApplication Create(string[] args)
    {
        var bots = new List<(string Username, string? Token)>();
        var rest = new List<string>();
        var replicas = new List<(string Slug, string Token, string Service)>();
        // From the environment rather than the command line, where every local user could read it.
        string? platformSecret = Environment.GetEnvironmentVariable("PLATFORM_SECRET") is { Length: > 0 } fromEnv ? fromEnv : null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--replica" && i + 1 < args.Length)
            {
                var spec = args[++i];
                int eq = spec.IndexOf('=', StringComparison.Ordinal), at = spec.LastIndexOf('@');
                if (eq <= 0 || at < eq) throw new ArgumentException($"--replica {spec}: expected slug=TOKEN@service");
                replicas.Add((spec[..eq], spec[(eq + 1)..at], spec[(at + 1)..]));
            }
            else if (args[i] == "--platform-secret" && i + 1 < args.Length)
            {
                platformSecret = args[++i];
            }
            else if (args[i] == "--bot" && i + 1 < args.Length)
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
        builder.Services.AddSingleton(new Platform.ReplicaPlatform { Secret = platformSecret });
        builder.Services.AddSingleton<EmulatedFiles>();
        // Above Telegram's 50 MB upload limit, so that the emulator answers an oversized upload as Telegram does.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 64L * 1024 * 1024);
        // https:// URLs too, as api.telegram.org (TLS, HTTP/2 by ALPN): the certificate from Kestrel's configuration,
        // e.g. --Kestrel:Certificates:Default:Path cert.pem --Kestrel:Certificates:Default:KeyPath key.pem.
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(o => o.MultipartBodyLengthLimit = 64L * 1024 * 1024);
        var app = builder.Build();

        var registry = app.Services.GetRequiredService<BotRegistry>();
        foreach (var (username, token) in bots)
        {
            var bot = registry.Register(username, token);
            Console.WriteLine($"bot @{bot.Username} registered (id {bot.Id})");
        }
        var platform = app.Services.GetRequiredService<Platform.ReplicaPlatform>();
        foreach (var (slug, token, service) in replicas)
        {
            if (registry.Find(token) is null) registry.Register(slug.Replace('-', '_') + "_bot", token);
            platform.Put(slug, token, service);
        }
        if (replicas.Count > 0) Console.WriteLine($"platform: {replicas.Count} replica(s) at /v1/replicas");
        BotApiEndpoints.Map(app);
        Platform.PlatformEndpoints.Map(app);
        ControlEndpoints.Map(app);
        ChatControlEndpoints.Map(app);
        app.MapGet("/", () => Results.Text("Telegram Bot API emulator: /bot<token>/<method>; control API under /_emulator\n"));
        return app;
    }
}
