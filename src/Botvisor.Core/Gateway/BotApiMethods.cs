using System.Collections.Frozen;

namespace Botvisor.Core.Gateway;

/// <summary>
/// The Bot API's method names (185, as the types of grammY 1.46 and node-telegram-bot-api 2.1 list them,
/// late 2026), so that what the gateway counts per method is bounded: a name Telegram does not know, or one
/// added to the Bot API after this list, is counted as <see cref="GatewayStats.Other"/>.
/// </summary>
public static class BotApiMethods
{
    private static readonly FrozenDictionary<string, string> Known = new[]
    {
        "addStickerToSet", "answerCallbackQuery", "answerChatJoinRequestQuery", "answerGuestQuery", "answerInlineQuery",
        "answerPreCheckoutQuery", "answerShippingQuery", "answerWebAppQuery", "approveChatJoinRequest", "approveSuggestedPost",
        "banChatMember", "banChatSenderChat", "close", "closeForumTopic", "closeGeneralForumTopic", "convertGiftToStars", "copyMessage",
        "copyMessages", "createChatInviteLink", "createChatSubscriptionInviteLink", "createForumTopic", "createInvoiceLink",
        "createNewStickerSet", "declineChatJoinRequest", "declineSuggestedPost", "deleteAllMessageReactions", "deleteBusinessMessages",
        "deleteChatPhoto", "deleteChatStickerSet", "deleteEphemeralMessage", "deleteForumTopic", "deleteMessage", "deleteMessageReaction",
        "deleteMessages", "deleteMyCommands", "deleteStickerFromSet", "deleteStickerSet", "deleteStory", "deleteWebhook",
        "editChatInviteLink", "editChatSubscriptionInviteLink", "editEphemeralMessageCaption", "editEphemeralMessageMedia",
        "editEphemeralMessageReplyMarkup", "editEphemeralMessageText", "editForumTopic", "editGeneralForumTopic", "editMessageCaption",
        "editMessageChecklist", "editMessageLiveLocation", "editMessageMedia", "editMessageReplyMarkup", "editMessageText", "editStory",
        "editUserStarSubscription", "exportChatInviteLink", "forwardMessage", "forwardMessages", "getAvailableGifts",
        "getBusinessAccountGifts", "getBusinessAccountStarBalance", "getBusinessConnection", "getChat", "getChatAdministrators",
        "getChatGifts", "getChatMember", "getChatMemberCount", "getChatMenuButton", "getCustomEmojiStickers", "getFile",
        "getForumTopicIconStickers", "getGameHighScores", "getManagedBotAccessSettings", "getManagedBotToken", "getMe", "getMyCommands",
        "getMyDefaultAdministratorRights", "getMyDescription", "getMyName", "getMyShortDescription", "getMyStarBalance",
        "getStarTransactions", "getStickerSet", "getUpdates", "getUserChatBoosts", "getUserGifts", "getUserPersonalChatMessages",
        "getUserProfileAudios", "getUserProfilePhotos", "getWebhookInfo", "giftPremiumSubscription", "hideGeneralForumTopic", "leaveChat",
        "logOut", "pinChatMessage", "postStory", "promoteChatMember", "readBusinessMessage", "refundStarPayment",
        "removeBusinessAccountProfilePhoto", "removeChatVerification", "removeMyProfilePhoto", "removeUserVerification", "reopenForumTopic",
        "reopenGeneralForumTopic", "replaceManagedBotToken", "replaceStickerInSet", "repostStory", "restrictChatMember",
        "revokeChatInviteLink", "savePreparedInlineMessage", "savePreparedKeyboardButton", "sendAnimation", "sendAudio", "sendChatAction",
        "sendChatJoinRequestWebApp", "sendChecklist", "sendContact", "sendDice", "sendDocument", "sendGame", "sendGift", "sendInvoice",
        "sendLivePhoto", "sendLocation", "sendMediaGroup", "sendMessage", "sendMessageDraft", "sendPaidMedia", "sendPhoto", "sendPoll",
        "sendRichMessage", "sendRichMessageDraft", "sendSticker", "sendVenue", "sendVideo", "sendVideoNote", "sendVoice",
        "setBusinessAccountBio", "setBusinessAccountGiftSettings", "setBusinessAccountName", "setBusinessAccountProfilePhoto",
        "setBusinessAccountUsername", "setChatAdministratorCustomTitle", "setChatDescription", "setChatMemberTag", "setChatMenuButton",
        "setChatPermissions", "setChatPhoto", "setChatStickerSet", "setChatTitle", "setCustomEmojiStickerSetThumbnail", "setGameScore",
        "setManagedBotAccessSettings", "setMessageReaction", "setMyCommands", "setMyDefaultAdministratorRights", "setMyDescription",
        "setMyName", "setMyProfilePhoto", "setMyShortDescription", "setPassportDataErrors", "setStickerEmojiList", "setStickerKeywords",
        "setStickerMaskPosition", "setStickerPositionInSet", "setStickerSetThumbnail", "setStickerSetTitle", "setUserEmojiStatus",
        "setWebhook", "stopMessageLiveLocation", "stopPoll", "transferBusinessAccountStars", "transferGift", "unbanChatMember",
        "unbanChatSenderChat", "unhideGeneralForumTopic", "unpinAllChatMessages", "unpinAllForumTopicMessages",
        "unpinAllGeneralForumTopicMessages", "unpinChatMessage", "upgradeGift", "uploadStickerFile", "verifyChat", "verifyUser",
    }.ToFrozenDictionary(n => n, n => n, StringComparer.OrdinalIgnoreCase);

    public static int Count => Known.Count;

    /// <summary>The method's name as the Bot API spells it (its names are case-insensitive); null when it is not one.</summary>
    public static string? Canonical(string method) => Known.GetValueOrDefault(method);
}
