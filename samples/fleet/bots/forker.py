"""A bot with a helper child process: stopping the bot must end the child too (same process group)."""
import os
import subprocess
import sys
import time

child = subprocess.Popen([sys.executable, "-c", "import time\nwhile True: time.sleep(1)"])
print(f"[forker] pid {os.getpid()} started helper {child.pid}", flush=True)
while True:
    time.sleep(5)
    print("[forker] still here", flush=True)
