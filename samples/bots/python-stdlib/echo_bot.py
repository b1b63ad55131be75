"""An echo bot with nothing but the Python standard library: long polling with getUpdates.

Reads BOT_TOKEN and TELEGRAM_API_BASE_URL (Botvisor sets both), answers every text with "echo: <text>"
and every document with the same file (downloaded with getFile, uploaded again with sendDocument).
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
import uuid

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


def download(file_id):
    path = call("getFile", file_id=file_id)["file_path"]
    with urllib.request.urlopen(f"{BASE}/file/bot{TOKEN}/{path}", timeout=30) as response:
        return response.read()


def send_document(chat_id, name, content, caption):
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in (("chat_id", str(chat_id)), ("caption", caption)):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="document"; filename="{name}"\r\n'
                 f'Content-Type: application/octet-stream\r\n\r\n'.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    request = urllib.request.Request(f"{BASE}/bot{TOKEN}/sendDocument", data=b"".join(parts),
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["result"]


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
            elif "document" in message:
                document = message["document"]
                content = download(document["file_id"])
                name = document.get("file_name", "file.bin")
                send_document(message["chat"]["id"], name, content, f"echo: {name} ({len(content)} bytes)")
                print(f"answered update {update['update_id']} with a file", flush=True)
            offset = update["update_id"] + 1
    print("stopping", flush=True)


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        print("stopping", flush=True)
