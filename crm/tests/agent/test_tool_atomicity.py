"""A copilot tool call is atomic: a tool that fails after writing leaves nothing half-written
(crm.agent.tools.run_tool runs each call in a savepoint)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.agent import tools
from crm.agent.tools import ToolContext, run_tool
from crm.errors import Conflict
from crm.models import Segment


class NoArguments(BaseModel):
    pass


async def _writes_then_fails(ctx: ToolContext, _: BaseModel) -> BaseModel:
    ctx.session.add(Segment(name="half-written by a failing tool", filter={"match": "all", "conditions": []}))
    await ctx.session.flush()
    raise Conflict("the tool failed after writing")


async def test_a_tool_that_fails_after_writing_leaves_nothing_behind(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = tools.Tool(tools.TOOLS["create_segment"].spec, NoArguments, _writes_then_fails)
    monkeypatch.setitem(tools.TOOLS, "create_segment", failing)
    result = await run_tool(ToolContext(session), "create_segment", {})
    assert "failed after writing" in result["error"]
    left = await session.scalar(
        select(func.count()).select_from(Segment).where(Segment.name == "half-written by a failing tool")
    )
    assert left == 0
