using TelegramEmulator;

WebApplication app;
try
{
    app = EmulatorApp.Create(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine("telegram-emulator: " + ex.Message);
    return 2;
}
app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"Telegram Bot API emulator listening on {string.Join(", ", app.Urls)}"));
await app.RunAsync();
return 0;
