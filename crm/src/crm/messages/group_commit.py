"""Group commit for receipt deliveries: the deliveries waiting while one transaction runs are
applied together in the next one.

The channel service posts receipts one event a request as well as in batches, from many
connections at once. A transaction per request costs a commit (a WAL flush) and a round of
statement overhead each; together, one statement and one commit serve the whole group, and the
requests that arrive while it runs form the next group. Nothing waits on purpose: a lone request
is applied at once, in a group of one.

On Postgres a group is one statement (crm.messages.receipts), atomic on its own: the process's
committer runs it autocommitted on a connection of its own that plans it generically, so a group
costs one round trip, not a BEGIN, a SET LOCAL, the statement and a COMMIT, each through
SQLAlchemy. A committer made without that engine (SQLite; a test's app, bound to the test's
transaction) applies each group in a session transaction, with the same statement on Postgres.

What each request sees is unchanged: it is answered only after the transaction holding its
delivery has committed, with its own outcome, as if the group's deliveries had been applied one
after another in arrival order (crm.messages.receipts.apply_deliveries): a replayed webhook-id
is still refused, and its events are not written, without touching the others. If the group's
transaction fails, each of its deliveries is tried again alone, so an error belongs to the
delivery that causes it and the others are applied.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from crm.db import create_engine, utcnow
from crm.messages import receipts
from crm.messages.receipts import Applied, Delivery
from crm.sql import asyncpg_connection

log = logging.getLogger(__name__)

# A group stops growing at this many events (a delivery is never split; a larger one goes alone):
# four full batches, so concurrent batches share a commit without holding their row locks for long.
MAX_GROUP_EVENTS = 4000
# One group transaction at a time: two in flight measured no faster for single events (1,169 vs
# 987 req/s, within noise) and slower for batches (25.6k vs 33.8k events/s), as the two compete
# for the same rows' locks and the event loop's time.
MAX_IN_FLIGHT = 1


@dataclass
class _Waiting:
    delivery: Delivery
    outcome: asyncio.Future[Applied] = field(default_factory=lambda: asyncio.get_running_loop().create_future())

    @property
    def size(self) -> int:
        return len(self.delivery.events.event_id)


def statement_engine(database_url: str) -> AsyncEngine | None:
    """Postgres: the connections a committer runs its autocommitted group statements on (as many as
    groups in flight), planning generically; None on SQLite."""
    if not database_url.startswith("postgresql"):
        return None
    # No pre-ping: a ping's round trip waits for the event loop like the statement does (measured
    # 3.8 ms a group with four clients posting). A connection the server closed while it was idle
    # (a restart) is known closed to asyncpg already, and the pool replaces it at checkout; one
    # that fails during a statement is dropped (_apply_together).
    engine = create_engine(
        database_url,
        pool_size=MAX_IN_FLIGHT,
        max_overflow=0,
        pool_pre_ping=False,
        connect_args={"server_settings": receipts.GENERIC_PLANS},
    )

    @event.listens_for(engine.sync_engine, "checkout")
    def _replace_if_closed(_: Any, record: ConnectionPoolEntry, __: Any) -> None:
        if record.driver_connection is None or record.driver_connection.is_closed():
            raise DisconnectionError("closed by the server while idle")

    return engine


class GroupCommitter:
    """Applies deliveries in groups, one group at a time (per process): each group in one
    autocommitted statement on `statements` (Postgres, statement_engine), or in a transaction of
    a session from `maker`."""

    def __init__(self, maker: async_sessionmaker[AsyncSession], statements: AsyncEngine | None = None) -> None:
        self.maker = maker
        self.statements = statements
        self._queue: list[_Waiting] = []
        self._draining: set[asyncio.Task[None]] = set()  # strong references, so they are not collected
        self._in_flight = 0

    async def apply(self, delivery: Delivery) -> Applied:
        """The delivery's outcome, once the transaction that applied it has committed."""
        waiting = _Waiting(delivery)
        self._queue.append(waiting)
        if self._in_flight < MAX_IN_FLIGHT:
            # Counted here and uncounted by _drain itself when it finds the queue empty (not by a
            # done-callback, which runs a loop step later: a delivery queued in between would wait
            # for a drain that has already finished).
            self._in_flight += 1
            task = asyncio.get_running_loop().create_task(self._drain(), name="receipts-group-commit")
            self._draining.add(task)
            task.add_done_callback(self._draining.discard)
        return await waiting.outcome

    async def _drain(self) -> None:
        try:
            while self._queue:
                group = self._next_group()
                try:
                    await self._apply_group(group)
                except BaseException:  # cancelled (shutdown): nobody will answer the ones still waiting
                    for waiting in group + self._queue:
                        waiting.outcome.cancel()
                    self._queue.clear()
                    raise
        finally:
            self._in_flight -= 1

    def _next_group(self) -> list[_Waiting]:
        """The oldest waiting deliveries, up to MAX_GROUP_EVENTS (at least one); a request that
        has gone away (its future cancelled) is dropped before anything of it is written."""
        group: list[_Waiting] = []
        events = 0
        while self._queue:
            waiting = self._queue[0]
            if waiting.outcome.done():
                self._queue.pop(0)
                continue
            if group and events + waiting.size > MAX_GROUP_EVENTS:
                break
            group.append(self._queue.pop(0))
            events += waiting.size
        return group

    async def _apply_group(self, group: list[_Waiting]) -> None:
        if not group:
            return
        try:
            outcomes = await self._apply_together([w.delivery for w in group])
        except Exception as exc:
            if len(group) == 1:
                _settle(group[0], exc)
                return
            log.warning("a group of %d receipt deliveries failed (%r); applying each alone", len(group), exc)
            for waiting in group:
                try:
                    (outcome,) = await self._apply_together([waiting.delivery])
                except Exception as alone:
                    _settle(waiting, alone)
                else:
                    _settle(waiting, outcome)
            return
        for waiting, outcome in zip(group, outcomes, strict=True):
            _settle(waiting, outcome)

    async def _apply_together(self, deliveries: list[Delivery]) -> list[Applied]:
        if self.statements is not None:
            async with self.statements.connect() as connection:
                driver = await asyncpg_connection(connection)
                try:
                    return await receipts.apply_deliveries_in_one_statement(driver, deliveries, utcnow())
                except BaseException:
                    # The statement rolled itself back; its connection may be what failed.
                    await connection.invalidate()
                    raise
        async with self.maker() as session, session.begin():
            return await receipts.apply_deliveries(session, deliveries, utcnow())

    async def aclose(self) -> None:
        """Closes the statement connections (at shutdown, once no request is waiting)."""
        if self.statements is not None:
            await self.statements.dispose()


def _settle(waiting: _Waiting, result: Applied | Exception) -> None:
    if waiting.outcome.done():  # the request went away meanwhile
        return
    if isinstance(result, Exception):
        waiting.outcome.set_exception(result)
    else:
        waiting.outcome.set_result(result)
