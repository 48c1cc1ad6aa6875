"""`make bench`: runs every benchmark script in this folder, one after another.

Each script prints its own table; pass-through arguments are not supported here — run a
script directly for options (each has --help).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["channel.py", "ingest.py", "segments.py", "receipts.py", "launch.py", "queue.py", "agent.py"]


def main() -> int:
    failures = 0
    for name in ORDER:
        script = HERE / name
        if not script.exists():
            continue
        print(f"\n=== bench/{name} ===", flush=True)
        failures += subprocess.call([sys.executable, str(script)]) != 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
