"""A hosted model that misbehaves mid-answer never crashes a turn: the official SDKs (openai,
groq) are pointed at local fake servers (mock transports; no network) that send a malformed
chunk, cut the stream off, time out, answer with nothing, or write tool arguments that are not
JSON. Each turn answers in JSON with `stopped` and a typed `failure` saying which, never a 500;
bad tool arguments go back to the model as invalid JSON and nothing runs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import httpx2
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.agent.loop import AgentLoop, DoneEvent
from crm.agent.providers.base import UserMessage
from crm.agent.providers.groq_provider import GroqProvider
from crm.agent.providers.openai_provider import OpenAIProvider
from crm.agent.tools import ToolContext
from crm.models import Campaign

SSE = {"content-type": "text/event-stream"}


def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
    body = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "fake-1",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body)}\n\n"


def stream_of(*events: str, done: bool = True) -> bytes:
    return ("".join(events) + ("data: [DONE]\n\n" if done else "")).encode()


def answer(text: str) -> bytes:
    return stream_of(chunk({"role": "assistant", "content": text}), chunk({}, "stop"))


def raw_tool_call(call_id: str, name: str, raw_arguments: str) -> bytes:
    call = {"index": 0, "id": call_id, "type": "function", "function": {"name": name, "arguments": raw_arguments}}
    return stream_of(chunk({"role": "assistant", "content": None, "tool_calls": [call]}), chunk({}, "tool_calls"))


Reply = Callable[[httpx2.Request], httpx2.Response]


class FakeOpenAIServer:
    """Plays one scripted wire reply per request; records the requests."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(json.loads(request.content))
        return self.replies.pop(0)(request)

    def provider(self) -> OpenAIProvider:
        client = httpx2.AsyncClient(transport=httpx2.MockTransport(self))
        return OpenAIProvider(api_key="sk-test", model="fake-1", http_client=client, max_retries=0)


def body(content: bytes) -> Reply:
    return lambda _: httpx2.Response(200, headers=SSE, content=content)


def broken_after(first: bytes) -> Reply:
    async def pieces() -> AsyncIterator[bytes]:
        yield first
        raise httpx2.ReadError("connection reset by peer")

    return lambda _: httpx2.Response(200, headers=SSE, content=pieces())


def timing_out(request: httpx2.Request) -> httpx2.Response:
    raise httpx2.ReadTimeout("timed out", request=request)


async def chat(app: FastAPI, client: httpx.AsyncClient, provider: Any, message: str = "hi") -> dict[str, Any]:
    app.state.agent_provider = provider
    response = await client.post("/api/agent/chat", json={"message": message})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


@pytest.mark.parametrize(
    ("reply", "kind", "words"),
    [
        pytest.param(
            body(stream_of(chunk({"role": "assistant", "content": "Hel"}), "data: {not json at all\n\n")),
            "malformed_stream",
            "could not be read",
            id="malformed-chunk",
        ),
        pytest.param(
            body(stream_of(chunk({"role": "assistant", "content": "Half an ans"}), done=False)),
            "truncated_stream",
            "ended before the model finished",
            id="stream-ends-early",
        ),
        pytest.param(
            broken_after(chunk({"role": "assistant", "content": "Half an ans"}).encode()),
            "truncated_stream",
            "broke off mid-answer",
            id="connection-drops-mid-answer",
        ),
        pytest.param(timing_out, "timeout", "did not answer in time", id="sdk-timeout"),
        pytest.param(body(answer("")), "empty_answer", "empty answer", id="empty-answer"),
    ],
)
async def test_a_broken_answer_is_a_json_provider_error_saying_which(
    app: FastAPI, client: httpx.AsyncClient, reply: Reply, kind: str, words: str
) -> None:
    server = FakeOpenAIServer(reply)
    result = await chat(app, client, server.provider())
    assert result["stopped"] == "provider_error"
    assert result["failure"]["kind"] == kind, result["failure"]
    assert words in result["failure"]["message"] and words in result["reply"]
    assert "Nothing was changed" in result["reply"]


async def test_the_stream_endpoint_ends_a_broken_answer_with_a_typed_done(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    app.state.agent_provider = FakeOpenAIServer(body(b"data: {broken\n\n")).provider()
    async with client.stream("POST", "/api/agent/chat/stream", json={"message": "hi"}) as response:
        text = (await response.aread()).decode()
    assert response.status_code == 200
    events = [line.removeprefix("event: ") for line in text.splitlines() if line.startswith("event: ")]
    assert events[-1] == "done" and "error" not in events
    done = json.loads(text.split("event: done")[1].split("data: ", 1)[1].splitlines()[0])
    assert done["stopped"] == "provider_error" and done["failure"]["kind"] == "malformed_stream"


async def test_invalid_json_arguments_go_back_to_the_model_as_invalid_json(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    broken = '{"name": "Pune hello", "channel": "sms", "body": "Hi", "filter": {"match": "all", '
    server = FakeOpenAIServer(
        body(raw_tool_call("call_1", "stage_campaign", broken)),
        body(answer("Sorry, my arguments were cut off.")),
    )
    result = await chat(app, client, server.provider())
    assert result["stopped"] == "answered" and result["failure"] is None
    step = result["steps"][0]
    assert step["tool"] == "stage_campaign" and step["result"]["kind"] == "error"
    assert "invalid JSON" in step["result"]["error"] and "nothing was run" in step["result"]["error"]
    # The model's next request carries that verdict as the tool's answer.
    tool_message = server.requests[1]["messages"][-1]
    assert tool_message["role"] == "tool" and "invalid JSON" in json.loads(tool_message["content"])["error"]
    # Its own malformed call is replayed exactly as it wrote it.
    assert server.requests[1]["messages"][-2]["tool_calls"][0]["function"]["arguments"] == broken
    assert await session.scalar(select(func.count()).select_from(Campaign)) == 0


async def test_unknown_argument_keys_are_refused_not_ignored(app: FastAPI, client: httpx.AsyncClient) -> None:
    args = json.dumps({"filter": {"match": "all", "conditions": []}, "launch_now": True})
    server = FakeOpenAIServer(body(raw_tool_call("call_1", "preview_audience", args)), body(answer("ok")))
    result = await chat(app, client, server.provider())
    error = result["steps"][0]["result"]["error"]
    assert "launch_now" in error and "Extra inputs are not permitted" in error


async def test_the_turn_time_budget_says_it_ran_out(session: AsyncSession) -> None:
    async def slow_pieces() -> AsyncIterator[bytes]:
        yield chunk({"role": "assistant", "content": "Thinking"}).encode()
        await asyncio.sleep(5)

    server = FakeOpenAIServer(lambda _: httpx2.Response(200, headers=SSE, content=slow_pieces()))
    loop = AgentLoop(server.provider(), turn_seconds=0.3)
    events = [e async for e in loop.run(ToolContext(session), [UserMessage("hi")])]
    done = events[-1]
    assert isinstance(done, DoneEvent) and done.stopped == "time_budget"
    assert done.failure is not None and done.failure.kind == "timeout"
    assert "did not answer within" in done.reply


def groq_malformed(request: httpx.Request) -> httpx.Response:
    content = stream_of(chunk({"role": "assistant", "content": "Hi"}), 'data: {"choices": [oops\n\n')
    return httpx.Response(200, headers=SSE, content=content)


async def test_groq_sdk_malformed_stream_is_a_provider_error(app: FastAPI, client: httpx.AsyncClient) -> None:
    client_ = httpx.AsyncClient(transport=httpx.MockTransport(groq_malformed))
    provider = GroqProvider(api_key="gsk-test", model="fake-1", http_client=client_, max_retries=0)
    result = await chat(app, client, provider)
    assert result["stopped"] == "provider_error" and result["failure"]["kind"] == "malformed_stream"
