"""An echo bot on python-telegram-bot 13 (Debian's python3-python-telegram-bot), unchanged but for its
base URLs (calls and file downloads), which come from TELEGRAM_API_BASE_URL so that it runs against
the emulator or behind Botvisor's gateway. Texts are echoed; documents are downloaded and sent back."""
import io
import logging
import os

from telegram.ext import Filters, MessageHandler, Updater

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
base = os.environ.get("TELEGRAM_API_BASE_URL", "https://api.telegram.org").rstrip("/")


def echo(update, context):
    update.message.reply_text("echo: " + update.message.text)


def echo_file(update, context):
    document = update.message.document
    content = io.BytesIO()
    document.get_file().download(out=content)
    data = content.getvalue()
    name = document.file_name or "file.bin"
    update.message.reply_document(document=io.BytesIO(data), filename=name, caption=f"echo: {name} ({len(data)} bytes)")


updater = Updater(token=os.environ["BOT_TOKEN"], base_url=f"{base}/bot", base_file_url=f"{base}/file/bot", use_context=True)
updater.dispatcher.add_handler(MessageHandler(Filters.text, echo))
updater.dispatcher.add_handler(MessageHandler(Filters.document, echo_file))
updater.start_polling(timeout=10, bootstrap_retries=-1)
print(f"@{updater.bot.username} polling {base}", flush=True)
updater.idle()  # returns on SIGTERM/SIGINT, after stopping the poller
