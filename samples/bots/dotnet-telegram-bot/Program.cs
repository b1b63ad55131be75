// An echo bot on Telegram.Bot, unchanged but for its base URL (calls and file downloads), which comes
// from TELEGRAM_API_BASE_URL. Texts are echoed; documents are downloaded and sent back.
using Telegram.Bot;
using Telegram.Bot.Types;

var token = Environment.GetEnvironmentVariable("BOT_TOKEN") ?? throw new InvalidOperationException("BOT_TOKEN is not set");
var baseUrl = Environment.GetEnvironmentVariable("TELEGRAM_API_BASE_URL");
var client = new TelegramBotClient(new TelegramBotClientOptions(token, baseUrl));
using var stop = new CancellationTokenSource();
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

var me = await client.GetMe(stop.Token);
Console.WriteLine($"@{me.Username} polling {baseUrl}");
int offset = 0;
while (!stop.IsCancellationRequested)
{
    try
    {
        var updates = await client.GetUpdates(offset, timeout: 10, cancellationToken: stop.Token);
        foreach (var update in updates)
        {
            if (update.Message is { Text: { } text } message)
            {
                await client.SendMessage(message.Chat.Id, "echo: " + text, cancellationToken: stop.Token);
            }
            else if (update.Message is { Document: { } document } withFile)
            {
                var file = await client.GetFile(document.FileId, stop.Token);
                using var content = new MemoryStream();
                await client.DownloadFile(file.FilePath!, content, stop.Token);
                content.Position = 0;
                var name = document.FileName ?? "file.bin";
                await client.SendDocument(withFile.Chat.Id, InputFile.FromStream(content, name), caption: $"echo: {name} ({content.Length} bytes)", cancellationToken: stop.Token);
            }
            offset = update.Id + 1;
        }
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
    }
}
