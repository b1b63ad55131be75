// An echo bot on node-telegram-bot-api v2, unchanged but for its API root, which comes from TELEGRAM_API_BASE_URL.
// Texts are echoed; documents are downloaded (getFile, then <apiRoot>/file/bot<token>/<path>: v2 has no
// download helper) and sent back.
import { Bot, InputFile } from "node-telegram-bot-api";

const token = process.env.BOT_TOKEN;
const apiRoot = (process.env.TELEGRAM_API_BASE_URL ?? "https://api.telegram.org").replace(/\/$/, "");
const bot = new Bot(token, { apiRoot });
bot.on("message", async (ctx) => {
  const { text, document } = ctx.message;
  if (text !== undefined) {
    await ctx.reply("echo: " + text);
  } else if (document !== undefined) {
    const file = await ctx.api.getFile({ file_id: document.file_id });
    const response = await fetch(`${apiRoot}/file/bot${token}/${file.file_path}`);
    if (!response.ok) throw new Error(`download failed: ${response.status}`);
    const data = new Uint8Array(await response.arrayBuffer());
    const name = document.file_name ?? "file.bin";
    await ctx.api.sendDocument({ chat_id: ctx.chatId, document: new InputFile(data, { filename: name }), caption: `echo: ${name} (${data.length} bytes)` });
  }
});
bot.catch((err) => console.error("error:", err instanceof Error ? err.message : err));
process.once("SIGTERM", () => bot.stop());
process.once("SIGINT", () => bot.stop());
const me = await bot.api.getMe();
console.log(`@${me.username} polling ${apiRoot}`);
await bot.startPolling();
