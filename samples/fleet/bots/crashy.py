"""A bot that crashes a few seconds after it starts, so restarts with backoff can be watched."""
import os
import random
import sys
import time

lifetime = float(os.environ.get("CRASH_AFTER", "4"))
print(f"[crashy] up (pid {os.getpid()}); I will crash in {lifetime:.0f}s", flush=True)
time.sleep(lifetime)
print("[crashy] Traceback (most recent call last): RuntimeError: simulated crash", file=sys.stderr, flush=True)
sys.exit(random.choice([1, 2, 3]))
