using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace TelegramEmulator;

/// <summary>
/// Files the emulator holds, as Telegram does: uploaded by bots (sendDocument, sendPhoto…) or sent by
/// users, each with a file_id, and a file_path once getFile was asked, served at
/// <c>/file/bot&lt;token&gt;/&lt;file_path&gt;</c> to the bot that owns it.
/// </summary>
public sealed class EmulatedFiles
{
    /// <summary>Telegram's limit for a bot's uploads (the cloud Bot API: 50 MB; photos: 10 MB).</summary>
    public const long MaxUpload = 50L * 1000 * 1000;
    public const long MaxPhoto = 10L * 1000 * 1000;

    /// <summary>What getFile will let a bot download (the cloud Bot API: 20 MB).</summary>
    public const long MaxDownload = 20L * 1000 * 1000;

    private readonly ConcurrentDictionary<string, StoredFile> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StoredFile> _byPath = new(StringComparer.Ordinal);
    private long _next;

    public sealed record StoredFile(string FileId, string UniqueId, long BotId, string Kind, string Name, string MimeType, byte[] Content)
    {
        public string? Path { get; set; }
    }

    public StoredFile Add(long botId, string kind, string name, string mimeType, byte[] content)
    {
        long n = Interlocked.Increment(ref _next);
        var id = $"BQAC{kind[0]}{n:D6}{Convert.ToHexString(RandomNumberGenerator.GetBytes(8))}";
        var file = new StoredFile(id, $"AgAD{n:D6}", botId, kind, name, mimeType, content);
        _byId[id] = file;
        return file;
    }

    public StoredFile? Find(string fileId) => _byId.GetValueOrDefault(fileId);

    /// <summary>getFile: the file's path for downloads (given once, kept).</summary>
    public StoredFile GetFile(EmulatedBot bot, string? fileId)
    {
        if (string.IsNullOrEmpty(fileId)) throw BotApiError.BadRequest("file_id is empty");
        if (Find(fileId) is not { } file || file.BotId != bot.Id) throw BotApiError.BadRequest("invalid file_id");
        if (file.Content.LongLength > MaxDownload) throw BotApiError.BadRequest("file is too big");
        lock (file)
        {
            if (file.Path is null)
            {
                var extension = System.IO.Path.GetExtension(file.Name);
                file.Path = $"{file.Kind}s/file_{file.FileId[^6..]}{(extension.Length > 0 ? extension : ".bin")}";
                _byPath[file.Path] = file;
            }
        }
        return file;
    }

    public StoredFile? Download(EmulatedBot bot, string path) => _byPath.GetValueOrDefault(path) is { } f && f.BotId == bot.Id ? f : null;

    public static JsonObject Describe(StoredFile file, bool withPath = false)
    {
        var o = new JsonObject
        {
            ["file_id"] = file.FileId,
            ["file_unique_id"] = file.UniqueId,
            ["file_size"] = file.Content.LongLength,
        };
        if (file.Kind != "photo")
        {
            o["file_name"] = file.Name;
            o["mime_type"] = file.MimeType;
        }
        else
        {
            o["width"] = 320;
            o["height"] = 240;
        }
        if (withPath && file.Path is not null) o["file_path"] = file.Path;
        return o;
    }
}
