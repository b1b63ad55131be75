// An echo bot on grammY, unchanged but for its API root, which comes from TELEGRAM_API_BASE_URL.
// Texts are echoed; documents are downloaded (getFile, then <apiRoot>/file/bot<token>/<path>) and sent back.
import { Bot, InputFile } from "grammy";

const apiRoot = (process.env.TELEGRAM_API_BASE_URL ?? "https://api.telegram.org").replace(/\/$/, "");
const bot = new Bot(process.env.BOT_TOKEN, { client: { apiRoot } });
bot.on("message:text", (ctx) => ctx.reply("echo: " + ctx.message.text));
bot.on("message:document", async (ctx) => {
  const file = await ctx.getFile();
  const response = await fetch(`${apiRoot}/file/bot${bot.token}/${file.file_path}`);
  if (!response.ok) throw new Error(`download failed: ${response.status}`);
  const data = new Uint8Array(await response.arrayBuffer());
  const name = ctx.message.document.file_name ?? "file.bin";
  await ctx.replyWithDocument(new InputFile(data, name), { caption: `echo: ${name} (${data.length} bytes)` });
});
bot.catch((err) => console.error("error:", err.message));
process.once("SIGTERM", () => bot.stop());
process.once("SIGINT", () => bot.stop());
await bot.start({ onStart: (me) => console.log(`@${me.username} polling ${apiRoot}`) });
