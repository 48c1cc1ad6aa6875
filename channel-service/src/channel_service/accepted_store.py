"""The communication_ids this service has accepted, kept on disk so a restart forgets none.

The CRM re-sends a batch whose acknowledgement it never recorded (it was killed holding the claim)
once the claim expires. If the channel service restarted in between, its in-memory dedupe window
was empty and the customer got the message twice. Each accepted message's fingerprint (a
seed-independent 64-bit hash of its communication_id) is written to a small SQLite file before the
202 goes out, and loaded again at start-up; entries older than the retention window (longer than
the CRM's claim expiry and retry horizon) are pruned.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterable

PRUNE_EVERY_SECONDS = 60.0


def fingerprint(communication_id: str) -> int:
    """A signed 64-bit hash of the id: the same in every process, whatever the simulation seed."""
    digest = hashlib.blake2b(communication_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class AcceptedStore:
    """An SQLite file of (fingerprint, accepted_at); WAL with synchronous=NORMAL survives a killed
    process (an operating-system crash may lose the last moments)."""

    def __init__(self, path: str, retention_seconds: float) -> None:
        self.retention = retention_seconds
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS accepted (fingerprint INTEGER PRIMARY KEY, accepted_at REAL NOT NULL)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS accepted_by_time ON accepted (accepted_at)")
        self._pruned_at = 0.0

    def load(self, now: float | None = None) -> set[int]:
        """The fingerprints accepted within the retention window (older ones are pruned first)."""
        self.prune(now)
        return {row[0] for row in self._db.execute("SELECT fingerprint FROM accepted")}

    def add(self, fingerprints: Iterable[int], now: float | None = None) -> None:
        at = time.time() if now is None else now
        rows = [(f, at) for f in fingerprints]
        if not rows:
            return
        self._db.execute("BEGIN")
        try:
            self._db.executemany("INSERT OR REPLACE INTO accepted (fingerprint, accepted_at) VALUES (?, ?)", rows)
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        if at - self._pruned_at >= PRUNE_EVERY_SECONDS:
            self.prune(at)

    def prune(self, now: float | None = None) -> None:
        at = time.time() if now is None else now
        self._db.execute("DELETE FROM accepted WHERE accepted_at < ?", (at - self.retention,))
        self._pruned_at = at

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM accepted").fetchone()[0])

    def close(self) -> None:
        self._db.close()
