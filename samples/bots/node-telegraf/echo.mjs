// An echo bot on Telegraf, unchanged but for its API root, which comes from TELEGRAM_API_BASE_URL.
// Texts are echoed; documents are downloaded (ctx.telegram.getFileLink: getFile, then <apiRoot>/file/bot<token>/<path>) and sent back.
import { Telegraf } from "telegraf";
import { message } from "telegraf/filters";

const apiRoot = (process.env.TELEGRAM_API_BASE_URL ?? "https://api.telegram.org").replace(/\/$/, "");
const bot = new Telegraf(process.env.BOT_TOKEN, { telegram: { apiRoot } });
bot.on(message("text"), (ctx) => ctx.reply("echo: " + ctx.message.text));
bot.on(message("document"), async (ctx) => {
  const link = await ctx.telegram.getFileLink(ctx.message.document.file_id);
  const response = await fetch(link);
  if (!response.ok) throw new Error(`download failed: ${response.status}`);
  const data = Buffer.from(await response.arrayBuffer());
  const name = ctx.message.document.file_name ?? "file.bin";
  await ctx.replyWithDocument({ source: data, filename: name }, { caption: `echo: ${name} (${data.length} bytes)` });
});
bot.catch((err) => console.error("error:", err.message));
process.once("SIGTERM", () => bot.stop("SIGTERM"));
process.once("SIGINT", () => bot.stop("SIGINT"));
await bot.launch(() => console.log(`@${bot.botInfo.username} polling ${apiRoot}`)); // getMe, then long polling
