"""A well-behaved bot: says what it is every few seconds and stops cleanly on SIGTERM."""
import os
import signal
import sys
import time

running = True


def stop(signum, frame):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
bot_id = os.environ.get("BOTVISOR_BOT_ID", "?")
token = os.environ.get("BOT_TOKEN", "")
print(f"[{bot_id}] started (pid {os.getpid()}), Bot API at {os.environ.get('TELEGRAM_API_BASE_URL')}", flush=True)
# Printing the token by mistake is common; Botvisor masks it in the log.
print(f"[{bot_id}] oops, printing my token: {token}", flush=True)
n = 0
while running:
    n += 1
    print(f"[{bot_id}] tick {n}", flush=True)
    for _ in range(30):
        if not running:
            break
        time.sleep(0.1)
print(f"[{bot_id}] got SIGTERM, bye", flush=True)
