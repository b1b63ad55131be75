"""An echo bot with nothing but the Python standard library: long polling with getUpdates.

Reads BOT_TOKEN and TELEGRAM_API_BASE_URL (Botvisor sets both), answers every text with "echo: <text>".
It confirms updates with `offset` only after answering them, so a message that arrives while it is
down (or that it was handling when it died) is answered after the restart.
"""
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request

TOKEN = os.environ["BOT_TOKEN"]
BASE = os.environ.get("TELEGRAM_API_BASE_URL", "https://api.telegram.org").rstrip("/")
running = True


def stop(signum, frame):
    # Raising here also interrupts a long poll that is waiting on the socket: the bot stops at once.
    global running
    running = False
    raise SystemExit(0)


signal.signal(signal.SIGTERM, stop)


def call(method, **params):
    data = json.dumps(params).encode()
    request = urllib.request.Request(f"{BASE}/bot{TOKEN}/{method}", data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=params.get("timeout", 0) + 10) as response:
            return json.load(response)["result"]
    except urllib.error.HTTPError as e:
        body = json.load(e)
        raise RuntimeError(f"{method}: {body.get('error_code')} {body.get('description')}") from None


def main():
    me = None
    while running and me is None:
        try:
            me = call("getMe")
        except (urllib.error.URLError, ConnectionError, OSError) as e:
            print(f"Bot API not reachable yet ({e}); retrying", flush=True)
            time.sleep(0.5)
    if me is None:
        return
    print(f"@{me['username']} polling {BASE}", flush=True)
    offset = 0
    while running:
        try:
            updates = call("getUpdates", offset=offset, timeout=10)
        except RuntimeError as e:
            print(e, file=sys.stderr, flush=True)
            time.sleep(1)
            continue
        except (urllib.error.URLError, ConnectionError, OSError) as e:
            print(f"network error: {e}", file=sys.stderr, flush=True)
            time.sleep(1)
            continue
        for update in updates:
            message = update.get("message") or {}
            if "text" in message:
                call("sendMessage", chat_id=message["chat"]["id"], text="echo: " + message["text"])
                print(f"answered update {update['update_id']}", flush=True)
            offset = update["update_id"] + 1
    print("stopping", flush=True)


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        print("stopping", flush=True)
