"""The Groq provider through the real `groq` SDK (plain httpx) against a local fake of Groq's
OpenAI-style streaming wire format: a multi-step tool loop, streaming, usage, and API errors."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from crm.agent.providers.base import (
    AssistantMessage,
    Completed,
    Message,
    ProviderError,
    StreamEvent,
    TextDelta,
    ToolResultMessage,
    ToolSpec,
    UserMessage,
)
from crm.agent.providers.groq_provider import GroqProvider

STAGE = ToolSpec(
    "stage_campaign",
    "Stage a draft campaign.",
    {
        "type": "object",
        "properties": {"name": {"type": "string"}, "channel": {"type": "string", "enum": ["email", "sms"]}},
        "required": ["name", "channel"],
    },
)


def chunk(delta: dict[str, Any], finish: str | None = None, x_groq: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "chatcmpl-g1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "llama-3.3-70b-versatile",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if x_groq is not None:
        body["x_groq"] = x_groq
    return body


def sse(*chunks: dict[str, Any]) -> httpx.Response:
    body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body.encode())


def final(finish: str, prompt: int, completion: int) -> dict[str, Any]:
    usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
    return chunk({}, finish=finish, x_groq={"id": "req_1", "usage": usage})


class FakeGroq:
    def __init__(self, *responses: httpx.Response) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.responses.pop(0)

    def body(self, n: int) -> dict[str, Any]:
        body: dict[str, Any] = json.loads(self.requests[n].content)
        return body

    def provider(self) -> GroqProvider:
        client = httpx.AsyncClient(transport=httpx.MockTransport(self))
        return GroqProvider(api_key="gsk-test", model="llama-3.3-70b-versatile", http_client=client, max_retries=1)


async def collect(provider: GroqProvider, messages: list[Message], tools: list[ToolSpec]) -> list[StreamEvent]:
    return [event async for event in provider.stream("You are Reach.", messages, tools)]


def completed(events: list[StreamEvent]) -> Completed:
    assert isinstance(events[-1], Completed)
    assert not any(isinstance(e, Completed) for e in events[:-1])
    return events[-1]


async def test_tool_loop_maps_calls_and_results_across_two_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GROQ_BASE_URL", raising=False)
    args = {"name": "Pune monsoon", "channel": "sms"}
    raw = json.dumps(args)
    fake = FakeGroq(
        sse(
            chunk({"role": "assistant"}),
            chunk({"content": "Staging it."}),
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "call_g1",
                            "type": "function",
                            "function": {"name": "stage_campaign", "arguments": raw[:10]},
                        }
                    ]
                }
            ),
            chunk({"tool_calls": [{"index": 0, "function": {"arguments": raw[10:]}}]}),
            final("tool_calls", 300, 25),
        ),
        sse(chunk({"content": "Draft "}), chunk({"content": "#7 is staged."}), final("stop", 350, 6)),
    )
    provider = fake.provider()
    history: list[Message] = [UserMessage("Stage an SMS for Pune")]

    first = completed(await collect(provider, history, [STAGE]))
    assert first.message.text == "Staging it."
    assert [(c.id, c.name, c.arguments) for c in first.message.tool_calls] == [("call_g1", "stage_campaign", args)]
    assert first.usage == {"input_tokens": 300, "output_tokens": 25}

    assert fake.requests[0].url == "https://api.groq.com/openai/v1/chat/completions"
    assert fake.requests[0].headers["authorization"] == "Bearer gsk-test"
    request = fake.body(0)
    assert request["model"] == "llama-3.3-70b-versatile" and request["stream"] is True
    assert request["tools"][0] == {
        "type": "function",
        "function": {"name": STAGE.name, "description": STAGE.description, "parameters": STAGE.parameters},
    }

    history.append(first.message)
    history.append(ToolResultMessage("call_g1", "stage_campaign", {"campaign_id": 7, "status": "draft"}))
    second = completed(await collect(provider, history, [STAGE]))
    assert second.message == AssistantMessage("Draft #7 is staged.", (), second.message.native)

    messages = fake.body(1)["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "tool"]
    assert messages[2] == {
        "role": "assistant",
        "content": "Staging it.",
        "tool_calls": [{"id": "call_g1", "type": "function", "function": {"name": "stage_campaign", "arguments": raw}}],
    }
    assert messages[3] == {
        "role": "tool",
        "tool_call_id": "call_g1",
        "content": '{"campaign_id": 7, "status": "draft"}',
    }


async def test_text_deltas_stream_in_order_and_make_the_final_text() -> None:
    pieces = ["Your ", "best ", "channel ", "is WhatsApp."]
    fake = FakeGroq(
        sse(chunk({"role": "assistant", "content": ""}), *(chunk({"content": p}) for p in pieces), final("stop", 10, 4))
    )
    events = await collect(fake.provider(), [UserMessage("Which channel?")], [])
    assert [e.text for e in events if isinstance(e, TextDelta)] == pieces
    assert completed(events).message.text == "".join(pieces)
    assert "tools" not in fake.body(0)


def error(status: int, message: str) -> httpx.Response:
    body = {"error": {"message": message, "type": "invalid_request_error"}}
    return httpx.Response(status, json=body, headers={"retry-after-ms": "1"})


async def test_bad_key_is_a_provider_error() -> None:
    fake = FakeGroq(error(401, "Invalid API Key"))
    with pytest.raises(ProviderError) as caught:
        await collect(fake.provider(), [UserMessage("hi")], [])
    assert str(caught.value) == "groq: invalid or missing API key (401): Invalid API Key"
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        (
            429,
            "Rate limit reached for model `llama-3.3-70b-versatile` (TPM).",
            "groq: rate limited (429): Rate limit reached for model `llama-3.3-70b-versatile` (TPM).",
        ),
        (503, "Service Unavailable", "groq: server error (503): Service Unavailable"),
    ],
)
async def test_rate_limit_and_server_errors_retry_once_then_fail_clearly(
    status: int, message: str, expected: str
) -> None:
    fake = FakeGroq(error(status, message), error(status, message))
    with pytest.raises(ProviderError) as caught:
        await collect(fake.provider(), [UserMessage("hi")], [])
    assert str(caught.value) == expected
    assert len(fake.requests) == 2


async def test_unreachable_api_is_a_provider_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(refuse))
    provider = GroqProvider(api_key="gsk", model="m", http_client=client, max_retries=0)
    with pytest.raises(ProviderError, match=r"^groq: could not reach the API: Connection error\.$"):
        await collect(provider, [UserMessage("hi")], [])
