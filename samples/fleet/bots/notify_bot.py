"""A bot that speaks systemd's sd_notify protocol with raw datagrams (no library needed):
READY=1 once it has started, STATUS=… now and then, WATCHDOG=1 at half the watchdog interval.
The same code works unchanged under systemd (Type=notify, WatchdogSec=) and under Botvisor."""
import os
import signal
import socket
import time


def notify(message):
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]  # abstract socket
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.sendto(message.encode(), address)


signal.signal(signal.SIGTERM, lambda *_: (notify("STOPPING=1"), exit(0)))
watchdog = int(os.environ.get("WATCHDOG_USEC", "0")) / 1_000_000
print(f"[notify] starting up (watchdog {watchdog}s)", flush=True)
time.sleep(1)  # pretend to connect to things
notify("READY=1\nSTATUS=serving")
handled = 0
while True:
    time.sleep(watchdog / 2 if watchdog else 5)
    handled += 1
    notify(f"WATCHDOG=1\nSTATUS=served {handled} ticks")
