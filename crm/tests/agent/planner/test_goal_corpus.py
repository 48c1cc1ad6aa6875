"""The generated goal corpus (tests/support/goal_corpus.py): 2,400 goals written from a grammar
over the audience fields and the seed vocabulary — shorthand, Hinglish, typos, lists, ranges,
negations, dates — each with the filter its grammar says it means. The planner's filter must
select exactly the expected members of a seeded data set for at least 97% of them."""

from __future__ import annotations

from datetime import UTC, datetime

from goal_corpus import corpus
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.agent.planner import Vocabulary, understand
from crm.seed import SeedPlan, seed_database
from crm.segments.compiler import Clock, audience_query
from crm.segments.dsl import SegmentFilter
from crm.segments.service import SegmentService

SIZE = 2400
REQUIRED = 0.97


async def members(session: AsyncSession, tree: dict[str, object], clock: Clock) -> frozenset[int]:
    result = await session.execute(audience_query(SegmentFilter.model_validate(tree), clock))
    return frozenset(result.scalars().all())


async def test_generated_goals_stage_the_expected_audience(
    sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    clock = Clock(datetime.now(UTC))
    await seed_database(sessionmaker, SeedPlan(customers=1500, seed=11, today=clock.today))
    fields = {f.name: [v.value for v in (f.values or [])] for f in (await SegmentService(session).fields()).fields}
    vocabulary = Vocabulary(
        categories=tuple(fields["category"]),
        products=tuple(fields["product"]),
        cities=tuple(fields["city"]),
        states=tuple(fields["state"]),
        tags=tuple(fields["tags"]),
    )
    goals = corpus(SIZE, seed=2026, today=clock.today)
    assert len(goals) >= 2000
    misses: list[str] = []
    non_empty = 0
    cache: dict[str, frozenset[int]] = {}
    for goal in goals:
        expected_tree = {"match": "all", "conditions": list(goal.conditions)}
        key = repr(expected_tree)
        if key not in cache:
            cache[key] = await members(session, expected_tree, clock)
        wanted = cache[key]
        non_empty += bool(wanted)
        understanding = understand(goal.text, vocabulary, clock.today)
        got = await members(session, understanding.filter, clock)
        if got != wanted or understanding.not_understood:
            misses.append(
                f"{goal.text!r}: expected {len(wanted)}, got {len(got)}; filter {understanding.filter['conditions']}"
                f"; not understood {understanding.not_understood}"
            )
    accuracy = 1 - len(misses) / len(goals)
    print(f"\ngenerated goal corpus: {accuracy:.2%} staged exactly right over {len(goals)} goals")
    print(f"  expected audiences that are non-empty: {non_empty / len(goals):.0%}")
    for miss in misses[:40]:
        print("  MISS", miss)
    assert non_empty >= 0.6 * len(goals), "most expected audiences must hold someone for the check to mean anything"
    assert accuracy >= REQUIRED, "\n".join(misses[:40])
