using TelegramEmulator;

await using var app = Create(args);
if (app is null) return 2;
app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"Telegram Bot API emulator listening on {string.Join(", ", app.Urls)}"));
await app.RunAsync();
return 0;

static WebApplication? Create(string[] args)
{
    try
    {
        return EmulatorApp.Create(args);
    }
    catch (ArgumentException ex)
    {
        Console.Error.WriteLine("telegram-emulator: " + ex.Message);
        return null;
    }
}
