"""Sequence rules: versioned steps (every edit is a new immutable version), launch by a person,
contacts pinned to the version they entered with, new entrants on the latest."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.analytics.schemas import Funnel
from crm.analytics.service import empty_funnel
from crm.audit import service as audit
from crm.campaigns.schemas import MessageIn
from crm.campaigns.service import checked_variables
from crm.db import utcnow
from crm.errors import Conflict, InvalidInput, NotFound
from crm.messages import queue as message_queue
from crm.messages import stats as message_stats
from crm.models import Segment, Sequence, SequenceVersion
from crm.money import from_minor
from crm.segments.compiler import Clock, compile_filter
from crm.segments.dsl import SegmentFilter
from crm.segments.explain import explain
from crm.segments.service import SegmentService
from crm.sequences import repository as repo
from crm.sequences.schemas import (
    SequenceCreate,
    SequenceRead,
    SequenceStats,
    SequenceUpdate,
    StepStats,
    VersionDiff,
    VersionRead,
)
from crm.sequences.steps import SequenceStep, step_delay
from crm.sequences.versions import diff_steps, timeline, with_keys


def check_steps(steps: list[SequenceStep]) -> None:
    keys = [s.key for s in steps if s.key]
    if len(keys) != len(set(keys)):
        raise InvalidInput(["body", "steps"], "step keys must be unique")
    for index, step in enumerate(steps):
        try:
            checked_variables(MessageIn(subject=step.subject, body=step.body), step.channel)
        except InvalidInput as exc:
            raise InvalidInput(["body", "steps", index, exc.detail[0]["loc"][-1]], exc.detail[0]["msg"]) from None


class SequenceService:
    def __init__(self, session: AsyncSession, time_scale: float = 1.0) -> None:
        self.session = session
        self.time_scale = time_scale

    async def get(self, sequence_id: int) -> Sequence:
        sequence = await self.session.get(Sequence, sequence_id)
        if sequence is None:
            raise NotFound(f"sequence {sequence_id} not found")
        return sequence

    async def audience(self, sequence: Sequence) -> SegmentFilter:
        """A draft follows its segment; a launched sequence keeps the filter frozen at launch."""
        if sequence.status == "draft" and sequence.segment_id is not None:
            segment = await self.session.get(Segment, sequence.segment_id)
            if segment is not None:
                return SegmentFilter.model_validate(segment.filter)
        if sequence.filter is None:
            raise Conflict(f"sequence {sequence.id} has no audience: its segment was deleted")
        return SegmentFilter.model_validate(sequence.filter)

    async def current_steps(self, sequence: Sequence) -> list[dict[str, Any]]:
        found = await repo.version(self.session, sequence.id, sequence.current_version)
        assert found is not None
        return list(found.steps)

    async def create(self, payload: SequenceCreate, author: audit.Author) -> SequenceRead:
        check_steps(payload.steps)
        if payload.segment_id is not None and await self.session.get(Segment, payload.segment_id) is None:
            raise InvalidInput(["body", "segment_id"], f"segment {payload.segment_id} does not exist")
        sequence = Sequence(
            uid=uuid.uuid4().hex,
            name=payload.name,
            segment_id=payload.segment_id,
            filter=payload.filter.model_dump() if payload.filter else None,
            exit_on_conversion=payload.exit_on_conversion,
            created_by=author.kind,
            current_version=1,
        )
        self.session.add(sequence)
        await self.session.flush()
        self.session.add(
            SequenceVersion(
                sequence_id=sequence.id,
                version=1,
                steps=with_keys(payload.steps),
                changes=["created"],
                created_by=author.actor,
            )
        )
        await self.session.flush()
        await audit.record(
            self.session,
            author.actor,
            "created",
            "sequence",
            sequence.id,
            f"drafted “{sequence.name}” with {len(payload.steps)} steps",
            author.details,
        )
        return await self.read(sequence)

    async def read(self, sequence: Sequence) -> SequenceRead:
        audience = await self.audience(sequence)
        steps = await self.current_steps(sequence)
        return SequenceRead(
            id=sequence.id,
            uid=sequence.uid,
            name=sequence.name,
            status=sequence.status,
            segment_id=sequence.segment_id,
            filter=audience,
            explanation=explain(audience),
            audience_count=await SegmentService(self.session).count(audience),
            exit_on_conversion=sequence.exit_on_conversion,
            version=sequence.current_version,
            steps=[SequenceStep.model_validate(s) for s in steps],
            timeline=timeline(steps),
            created_by=sequence.created_by,
            launched_at=sequence.launched_at,
            launched_by=sequence.launched_by,
            created_at=sequence.created_at,
            updated_at=sequence.updated_at,
        )

    async def list_all(self) -> list[SequenceRead]:
        sequences = (await self.session.scalars(select(Sequence).order_by(Sequence.id.desc()))).all()
        return [await self.read(s) for s in sequences]

    async def _new_version(
        self, sequence: Sequence, steps: list[dict[str, Any]], author: str, note: str | None
    ) -> None:
        before = await self.current_steps(sequence)
        changes = diff_steps(before, steps)
        if not changes and note is None:
            return
        sequence.current_version += 1
        sequence.updated_at = utcnow()
        self.session.add(
            SequenceVersion(
                sequence_id=sequence.id,
                version=sequence.current_version,
                steps=steps,
                changes=([note] if note else []) + changes,
                created_by=author,
            )
        )
        await self.session.flush()
        all_changes = ([note] if note else []) + changes
        await audit.record(
            self.session,
            author,
            "rolled_back" if note else "edited",
            "sequence",
            sequence.id,
            f"version {sequence.current_version}: " + "; ".join(all_changes),
            {"version": sequence.current_version, "changes": all_changes},
        )

    async def update(self, sequence_id: int, patch: SequenceUpdate) -> SequenceRead:
        """Editable while draft and while live; a steps edit never touches contacts already in it."""
        sequence = await self.get(sequence_id)
        if patch.name:
            sequence.name = patch.name
        if patch.exit_on_conversion is not None:
            sequence.exit_on_conversion = patch.exit_on_conversion
        if patch.steps is not None:
            check_steps(patch.steps)
            await self._new_version(sequence, with_keys(patch.steps), patch.edited_by, None)
        sequence.updated_at = utcnow()
        await self.session.flush()
        return await self.read(sequence)

    async def versions(self, sequence_id: int) -> list[VersionRead]:
        await self.get(sequence_id)
        _, by_version = await repo.enrollment_counts(self.session, sequence_id)
        return [
            VersionRead(
                version=v.version,
                steps=[SequenceStep.model_validate(s) for s in v.steps],
                changes=v.changes,
                created_by=v.created_by,
                created_at=v.created_at,
                contacts=by_version.get(v.version, 0),
            )
            for v in await repo.versions_of(self.session, sequence_id)
        ]

    async def _version(self, sequence_id: int, number: int) -> SequenceVersion:
        found = await repo.version(self.session, sequence_id, number)
        if found is None:
            raise NotFound(f"sequence {sequence_id} has no version {number}")
        return found

    async def diff(self, sequence_id: int, from_version: int, to_version: int) -> VersionDiff:
        before = await self._version(sequence_id, from_version)
        after = await self._version(sequence_id, to_version)
        return VersionDiff(
            from_version=from_version, to_version=to_version, changes=diff_steps(list(before.steps), list(after.steps))
        )

    async def rollback(self, sequence_id: int, number: int, author: str) -> SequenceRead:
        """Restores an earlier version's steps as a new version (history is never rewritten)."""
        sequence = await self.get(sequence_id)
        old = await self._version(sequence_id, number)
        await self._new_version(sequence, list(old.steps), author, f"rolled back to version {number}")
        return await self.read(sequence)

    async def launch(self, sequence_id: int, launched_by: str | None) -> SequenceRead:
        sequence = await self.get(sequence_id)
        now = utcnow()
        audience = await self.audience(sequence)  # read while a draft: the segment's filter, if it follows one
        if not await repo.claim_draft_for_launch(self.session, sequence_id, now, launched_by or "operator"):
            raise Conflict(f"sequence {sequence_id} is {sequence.status}; it can be launched only once")
        await self.session.refresh(sequence)
        sequence.filter = audience.model_dump()  # frozen like a campaign's
        await self.enroll_new(sequence)
        await audit.record(
            self.session,
            launched_by or "operator",
            "approved_and_launched",
            "sequence",
            sequence.id,
            f"approved and launched version {sequence.current_version}",
            {"version": sequence.current_version, "drafted_by": sequence.created_by},
        )
        return await self.read(sequence)

    async def enroll_new(self, sequence: Sequence) -> int:
        """Adds audience members not yet enrolled, on the latest version, and schedules their step 1.
        Returns how many joined. Runs at launch and then periodically (crm.sequences.enrollment)."""
        if sequence.status != "live":
            return 0
        now = utcnow()
        audience = await self.audience(sequence)
        where = compile_filter(audience, Clock(now))
        joined = await repo.enroll(self.session, sequence, where, sequence.current_version, now)
        if joined:
            steps = await self.current_steps(sequence)
            await message_queue.queue_first_steps(
                self.session, sequence, sequence.current_version, steps[0], now + step_delay(steps[0], self.time_scale)
            )
        return joined

    async def stats(self, sequence_id: int) -> SequenceStats:
        sequence = await self.get(sequence_id)
        steps = await self.current_steps(sequence)
        by_status, by_version = await repo.enrollment_counts(self.session, sequence_id)
        counts = await message_stats.step_counts(self.session, sequence_id)
        step_stats = []
        for index in range(max(len(steps), max(counts, default=-1) + 1)):
            step = steps[index] if index < len(steps) else {"key": None, "channel": "?", "condition": "?"}
            row = counts.get(index, {})
            step_stats.append(
                StepStats(
                    index=index,
                    key=step.get("key"),
                    channel=step["channel"],
                    condition=step.get("condition", "always"),
                    entered=row.get("entered", 0),
                    waiting=row.get("waiting", 0),
                    sent=row.get("dispatched", 0),
                    skipped=row.get("skipped", 0),
                    deferred=row.get("deferred", 0),
                    cancelled=row.get("cancelled", 0),
                    funnel=Funnel(**{k: row.get(f"funnel_{k}", 0) for k in empty_funnel()}),
                    revenue=from_minor(row.get("revenue_minor", 0)),
                )
            )
        return SequenceStats(
            sequence_id=sequence.id,
            status=sequence.status,
            enrollments=by_status,
            by_version=by_version,
            steps=step_stats,
            revenue=round(sum(s.revenue for s in step_stats), 2),
        )
