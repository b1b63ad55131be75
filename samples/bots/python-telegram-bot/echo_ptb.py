"""An echo bot on python-telegram-bot 13 (Debian's python3-python-telegram-bot), unchanged but for its
base URL, which comes from TELEGRAM_API_BASE_URL so that it can run against the emulator."""
import logging
import os

from telegram.ext import Filters, MessageHandler, Updater

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
base = os.environ.get("TELEGRAM_API_BASE_URL", "https://api.telegram.org").rstrip("/")


def echo(update, context):
    update.message.reply_text("echo: " + update.message.text)


updater = Updater(token=os.environ["BOT_TOKEN"], base_url=f"{base}/bot", use_context=True)
updater.dispatcher.add_handler(MessageHandler(Filters.text, echo))
updater.start_polling(timeout=10, bootstrap_retries=-1)
print(f"@{updater.bot.username} polling {base}", flush=True)
updater.idle()  # returns on SIGTERM/SIGINT, after stopping the poller
