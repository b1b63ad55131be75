// An echo bot on grammY, unchanged but for its API root, which comes from TELEGRAM_API_BASE_URL.
import { Bot } from "grammy";

const apiRoot = (process.env.TELEGRAM_API_BASE_URL ?? "https://api.telegram.org").replace(/\/$/, "");
const bot = new Bot(process.env.BOT_TOKEN, { client: { apiRoot } });
bot.on("message:text", (ctx) => ctx.reply("echo: " + ctx.message.text));
bot.catch((err) => console.error("error:", err.message));
process.once("SIGTERM", () => bot.stop());
process.once("SIGINT", () => bot.stop());
await bot.start({ onStart: (me) => console.log(`@${me.username} polling ${apiRoot}`) });
