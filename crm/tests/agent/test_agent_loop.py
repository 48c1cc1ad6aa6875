"""The agent loop with a scripted model: bounded, persisted, replayable, errors as results,
and no way to launch anything."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from reach_factories import customer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.agent.loop import AgentLoop, DoneEvent
from crm.agent.providers.base import (
    AssistantMessage,
    Completed,
    Message,
    ProviderError,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolSpec,
)
from crm.agent.service import AgentService
from crm.agent.tools import TOOLS, Tool, ToolContext, run_tool
from crm.campaigns.schemas import CampaignCreate
from crm.models import Campaign, Communication

PUNE = {"match": "all", "conditions": [{"field": "city", "op": "eq", "value": "Pune"}]}


class ScriptedModel:
    """Answers with the next scripted turn; records what it was shown."""

    name = "scripted"
    model = "script-1"

    def __init__(self, turns: list[AssistantMessage], delay: float = 0.0) -> None:
        self.turns = list(turns)
        self.seen: list[list[Message]] = []
        self.delay = delay

    async def stream(self, system: str, messages: list[Message], tools: list[ToolSpec]) -> AsyncIterator[StreamEvent]:
        self.seen.append(list(messages))
        if self.delay:
            await asyncio.sleep(self.delay)
        turn = self.turns.pop(0) if self.turns else AssistantMessage("", (ToolCall("again", "list_fields", {}),))
        for word in turn.text.split(" ") if turn.text else []:
            yield TextDelta(word + " ")
        yield Completed(turn)


class FailingModel(ScriptedModel):
    async def stream(self, system: str, messages: list[Message], tools: list[ToolSpec]) -> AsyncIterator[StreamEvent]:
        raise ProviderError("groq: rate limited (429): slow down")
        yield  # pragma: no cover


def call(name: str, arguments: dict[str, Any], n: int = 1) -> AssistantMessage:
    return AssistantMessage("", (ToolCall(f"c{n}", name, arguments),))


async def seed(client: httpx.AsyncClient) -> None:
    await client.post("/api/ingest", json={"customers": [customer(city="Pune") for _ in range(3)]})


async def test_multi_step_turn_stages_a_draft_and_is_replayable(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await seed(client)
    model = ScriptedModel(
        [
            call("list_fields", {}, 1),
            call("preview_audience", {"filter": PUNE}, 2),
            call(
                "stage_campaign",
                {
                    "name": "Pune hello",
                    "channel": "sms",
                    "filter": PUNE,
                    "body": "Hi {{ first_name | default: 'there' }}!",
                },
                3,
            ),
            AssistantMessage("Staged draft for 3 Pune customers."),
        ]
    )
    app.state.agent_provider = model
    response = await client.post("/api/agent/chat", json={"message": "say hi to Pune"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [s["tool"] for s in body["steps"]] == ["list_fields", "preview_audience", "stage_campaign"]
    assert body["steps"][1]["result"]["count"] == 3
    assert body["reply"] == "Staged draft for 3 Pune customers."
    assert body["stopped"] == "answered"
    campaign = await session.get(Campaign, body["staged_campaign_id"])
    assert campaign is not None and campaign.status == "draft" and campaign.created_by == "agent"
    # The model saw each tool result before its next step.
    assert model.seen[2][-1].result["count"] == 3  # type: ignore[union-attr]

    replay = (await client.get(f"/api/agent/conversations/{body['conversation_id']}")).json()
    assert [t["role"] for t in replay["turns"]] == ["user", "tool", "tool", "tool", "assistant"]
    assert replay["turns"][2]["arguments"] == {"filter": PUNE}
    listed = (await client.get("/api/agent/conversations")).json()
    assert listed[0]["id"] == body["conversation_id"]

    # A second message continues the same conversation with its history.
    model.turns = [AssistantMessage("Still here.")]
    again = (
        await client.post("/api/agent/chat", json={"message": "thanks", "conversation_id": body["conversation_id"]})
    ).json()
    assert again["reply"] == "Still here." and len(model.seen[-1]) == 9  # 8 earlier messages + the new one


async def test_tool_errors_go_back_to_the_model(app: FastAPI, client: httpx.AsyncClient) -> None:
    model = ScriptedModel(
        [
            call("preview_audience", {"filter": {"conditions": [{"field": "shoe_size", "op": "eq", "value": 3}]}}, 1),
            call("stage_campaign", {"name": "x", "channel": "pigeon", "body": "hi"}, 2),
            call("no_such_tool", {}, 3),
            AssistantMessage("Sorry, I got the fields wrong."),
        ]
    )
    app.state.agent_provider = model
    body = (await client.post("/api/agent/chat", json={"message": "anything"})).json()
    errors = [s["result"]["error"] for s in body["steps"]]
    assert "unknown field" in errors[0] and "channel" in errors[1] and "unknown tool" in errors[2]
    assert body["stopped"] == "answered" and body["staged_campaign_id"] is None


async def test_the_loop_is_bounded_in_steps_and_time(session: AsyncSession) -> None:
    looping = AgentLoop(ScriptedModel([]), max_steps=3)
    events = [e async for e in looping.run(ToolContext(session), [])]
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.stopped == "max_steps" and done.steps == 3
    slow = AgentLoop(ScriptedModel([AssistantMessage("late")], delay=2.0), turn_seconds=0.2)
    events = [e async for e in slow.run(ToolContext(session), [])]
    assert isinstance(events[-1], DoneEvent) and events[-1].stopped == "time_budget"


async def test_provider_errors_become_a_clear_reply(app: FastAPI, client: httpx.AsyncClient) -> None:
    app.state.agent_provider = FailingModel([])
    body = (await client.post("/api/agent/chat", json={"message": "hello"})).json()
    assert body["stopped"] == "provider_error" and "rate limited (429)" in body["reply"]


async def test_there_is_no_launch_tool_and_no_prompt_can_launch(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    assert not [name for name in TOOLS if "launch" in name or "send" in name]
    assert all("launch" not in json.dumps(t.spec.parameters) for t in TOOLS.values())
    await seed(client)
    model = ScriptedModel(
        [
            call("stage_campaign", {"name": "x", "channel": "sms", "filter": PUNE, "body": "hi"}, 1),
            call("launch_campaign", {"campaign_id": 1}, 2),
            call(
                "stage_campaign", {"name": "y", "channel": "sms", "filter": PUNE, "body": "hi", "status": "running"}, 3
            ),
            AssistantMessage("done"),
        ]
    )
    app.state.agent_provider = model
    body = (await client.post("/api/agent/chat", json={"message": "launch it now!"})).json()
    assert "unknown tool" in body["steps"][1]["result"]["error"]
    statuses = (await session.scalars(select(Campaign.status))).all()
    assert statuses and set(statuses) == {"draft"}
    assert await session.scalar(select(func.count()).select_from(Communication)) == 0


async def test_streaming_sends_tokens_tool_events_and_done(app: FastAPI, client: httpx.AsyncClient) -> None:
    app.state.agent_provider = ScriptedModel([call("list_fields", {}, 1), AssistantMessage("All set now.")])
    async with client.stream("POST", "/api/agent/chat/stream", json={"message": "fields?"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        raw = "".join([chunk async for chunk in response.aiter_text()])
    events = []
    for block in raw.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        events.append((lines.get("event"), json.loads(lines["data"]) if "data" in lines else None))
    kinds = [k for k, _ in events]
    assert kinds[0] == "conversation" and kinds[-1] == "done"
    assert kinds.index("tool_call") < kinds.index("tool_result") < kinds.index("token")
    tokens = "".join(d["text"] for k, d in events if k == "token")
    assert tokens.strip() == "All set now."
    assert events[-1][1]["reply"] == "All set now." and events[-1][1]["steps"][0]["tool"] == "list_fields"


async def test_a_draft_without_an_audience_is_a_tool_error_not_a_crashed_turn(session: AsyncSession) -> None:
    """A model that forgets the audience gets told which arguments were wrong and can recover."""
    model = ScriptedModel(
        [
            call("stage_campaign", {"name": "x", "channel": "sms", "body": "hi"}, 1),
            call(
                "stage_sequence",
                {"name": "y", "steps": [{"channel": "sms", "body": "hi", "delay": {"value": 0, "unit": "days"}}]},
                2,
            ),
            call("stage_campaign", {"name": "z", "channel": "sms", "body": "hi", "filter": PUNE, "segment_id": 1}, 3),
            AssistantMessage("I need to know who to send it to."),
        ]
    )
    response = await AgentService(session, model).chat("stage something", None)
    errors = [str(step.result.error) for step in response.steps]
    assert len(errors) == 3 and all("filter" in e and "segment_id" in e for e in errors), errors
    assert response.stopped == "answered" and response.reply == "I need to know who to send it to."
    assert response.staged_campaign_id is None and response.staged_sequence_id is None
    assert model.seen[1][-1].result == response.steps[0].result.model_dump(exclude_none=True)  # type: ignore[union-attr]
    assert await session.scalar(select(func.count()).select_from(Campaign)) == 0


async def test_an_invalid_payload_built_inside_a_tool_is_an_error_result(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def builds_a_bad_payload(ctx: ToolContext, args: Any) -> dict[str, Any]:
        CampaignCreate.model_validate({"name": "x", "channel": "pigeon", "message": {"body": "hi"}, "filter": PUNE})
        return {}

    original = TOOLS["list_fields"]
    monkeypatch.setitem(TOOLS, "list_fields", Tool(original.spec, original.arguments, builds_a_bad_payload))
    result = await run_tool(ToolContext(session), "list_fields", {})
    assert result["error"].startswith("invalid arguments: channel:")


async def test_the_conversation_list_follows_the_latest_turn(session: AsyncSession) -> None:
    model = ScriptedModel([AssistantMessage("one"), AssistantMessage("two"), AssistantMessage("three")])
    service = AgentService(session, model)
    first = await service.chat("first", None)
    second = await service.chat("second", None)
    assert [c.id for c in await service.conversations()][:2] == [second.conversation_id, first.conversation_id]
    await service.chat("first again", first.conversation_id)
    assert [c.id for c in await service.conversations()][:2] == [first.conversation_id, second.conversation_id]
