namespace Botvisor.Core.Telegram;

/// <summary>
/// The Bot API as one bot of the daemon's own uses it (the admin bot: its token and base URL are bound
/// in). The core knows no HTTP; the daemon implements this.
/// </summary>
public interface ITelegramBotApi
{
    Task<TelegramResult<TelegramBotInfo>> GetMeAsync(CancellationToken cancellationToken);

    Task<TelegramResult<bool>> DeleteWebhookAsync(CancellationToken cancellationToken);

    /// <summary>Long polling: messages and callback queries after <paramref name="offset"/>.</summary>
    Task<TelegramResult<IReadOnlyList<TelegramUpdate>>> GetUpdatesAsync(long offset, int timeoutSeconds, CancellationToken cancellationToken);

    /// <summary>Sends HTML text, optionally with one row of inline buttons; returns the message's id.</summary>
    Task<TelegramResult<long>> SendMessageAsync(long chatId, string html, IReadOnlyList<InlineButton>? buttons, CancellationToken cancellationToken);

    /// <summary>Replaces a message's text (and removes its buttons).</summary>
    Task<TelegramResult<bool>> EditMessageTextAsync(long chatId, long messageId, string html, CancellationToken cancellationToken);

    Task<TelegramResult<bool>> AnswerCallbackQueryAsync(string callbackQueryId, string? text, CancellationToken cancellationToken);

    /// <summary>Uploads a file (multipart) with an HTML caption; returns the message's id.</summary>
    Task<TelegramResult<long>> SendDocumentAsync(long chatId, string fileName, ReadOnlyMemory<byte> content, string? captionHtml, CancellationToken cancellationToken);

    /// <summary>The command menu Telegram clients show.</summary>
    Task<TelegramResult<bool>> SetMyCommandsAsync(IReadOnlyList<(string Command, string Description)> commands, CancellationToken cancellationToken);
}

/// <summary>An inline keyboard button whose press comes back as a callback query with <see cref="Data"/>.</summary>
public sealed record InlineButton(string Text, string Data);

/// <summary>The parts of an update the daemon reads.</summary>
public sealed record TelegramUpdate(long UpdateId, TelegramIncomingMessage? Message, TelegramCallbackQuery? CallbackQuery);

public sealed record TelegramIncomingMessage(long MessageId, long ChatId, long FromId, string? FromUsername, string? Text);

public sealed record TelegramCallbackQuery(string Id, long FromId, string? FromUsername, string Data, long? ChatId, long? MessageId);
