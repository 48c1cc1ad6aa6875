"""The OpenAI provider through the real `openai` SDK against a local fake of the chat-completions
wire format (SSE chunks over an httpx2 mock transport): a multi-step tool loop, streaming,
malformed arguments, and API errors."""

from __future__ import annotations

import json
from typing import Any

import httpx2
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
from crm.agent.providers.openai_provider import OpenAIProvider

BASE_URL = "http://fake-openai.test/v1"
PREVIEW = ToolSpec(
    "preview_audience",
    "Count the customers a filter matches.",
    {
        "type": "object",
        "properties": {"filter": {"type": "object"}, "limit": {"type": "integer"}},
        "required": ["filter"],
    },
)
FILTER_ARGS = {"filter": {"match": "all", "conditions": [{"field": "city", "op": "eq", "value": "Pune"}]}}


def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def usage_chunk(prompt: int, completion: int) -> dict[str, Any]:
    usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [],
        "usage": usage,
    }


def sse(*chunks: dict[str, Any]) -> httpx2.Response:
    body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body.encode())


def tool_call_response() -> httpx2.Response:
    raw = json.dumps(FILTER_ARGS)
    first, second, third = raw[:7], raw[7:30], raw[30:]
    return sse(
        chunk({"role": "assistant", "content": None}),
        chunk(
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_abc",
                        "type": "function",
                        "function": {"name": "preview_audience", "arguments": ""},
                    }
                ]
            }
        ),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": first}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": second}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": third}}]}),
        chunk(
            {
                "tool_calls": [
                    {
                        "index": 1,
                        "id": "call_def",
                        "type": "function",
                        "function": {"name": "preview_audience", "arguments": '{"filter": '},
                    }
                ]
            }
        ),
        chunk({"tool_calls": [{"index": 1, "function": {"arguments": "{oops"}}]}),
        chunk({}, finish="tool_calls"),
    )


def text_response(*pieces: str) -> httpx2.Response:
    return sse(
        chunk({"role": "assistant", "content": ""}),
        *(chunk({"content": p}) for p in pieces),
        chunk({}, finish="stop"),
        usage_chunk(120, 9),
    )


class FakeOpenAI:
    """Plays canned responses in order and records each request."""

    def __init__(self, *responses: httpx2.Response) -> None:
        self.responses = list(responses)
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return self.responses.pop(0)

    def body(self, n: int) -> dict[str, Any]:
        body: dict[str, Any] = json.loads(self.requests[n].content)
        return body

    def provider(self, base_url: str | None = BASE_URL, max_retries: int = 1) -> OpenAIProvider:
        client = httpx2.AsyncClient(transport=httpx2.MockTransport(self))
        return OpenAIProvider(
            api_key="sk-test", model="gpt-4o-mini", base_url=base_url, http_client=client, max_retries=max_retries
        )


async def collect(provider: OpenAIProvider, messages: list[Message], tools: list[ToolSpec]) -> list[StreamEvent]:
    return [event async for event in provider.stream("You are Reach.", messages, tools)]


def completed(events: list[StreamEvent]) -> AssistantMessage:
    assert isinstance(events[-1], Completed)
    assert not any(isinstance(e, Completed) for e in events[:-1])
    return events[-1].message


async def test_tool_loop_maps_calls_and_results_across_two_requests() -> None:
    fake = FakeOpenAI(tool_call_response(), text_response("12 customers ", "in Pune."))
    provider = fake.provider()
    history: list[Message] = [UserMessage("How many customers in Pune?")]

    first = completed(await collect(provider, history, [PREVIEW]))
    assert first.text == ""
    assert [(c.id, c.name) for c in first.tool_calls] == [
        ("call_abc", "preview_audience"),
        ("call_def", "preview_audience"),
    ]
    assert first.tool_calls[0].arguments == FILTER_ARGS
    # Malformed: nothing salvaged, and why it is unreadable kept for the loop to tell the model.
    assert first.tool_calls[1].arguments == {}
    assert first.tool_calls[1].arguments_error is not None
    assert first.tool_calls[1].arguments_error.startswith("invalid JSON")

    request = fake.body(0)
    assert fake.requests[0].url.path == "/v1/chat/completions"
    assert fake.requests[0].headers["authorization"] == "Bearer sk-test"
    assert request["model"] == "gpt-4o-mini" and request["stream"] is True
    assert "stream_options" not in request  # not sent to a custom (maybe local) server
    assert request["messages"] == [
        {"role": "system", "content": "You are Reach."},
        {"role": "user", "content": "How many customers in Pune?"},
    ]
    assert request["tools"] == [
        {
            "type": "function",
            "function": {"name": PREVIEW.name, "description": PREVIEW.description, "parameters": PREVIEW.parameters},
        }
    ]

    # The loop's part: keep the turn, run the tools, send their results back.
    history.append(first)
    history.append(ToolResultMessage("call_abc", "preview_audience", {"count": 12, "sample": ["Asha Rao"]}))
    history.append(ToolResultMessage("call_def", "preview_audience", {"error": "arguments were not valid JSON"}))
    events = await collect(provider, history, [PREVIEW])
    second = completed(events)
    assert second.text == "12 customers in Pune." and second.tool_calls == ()

    messages = fake.body(1)["messages"]
    assert messages[2] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_abc",
                "type": "function",
                "function": {"name": "preview_audience", "arguments": json.dumps(FILTER_ARGS)},
            },
            {
                "id": "call_def",
                "type": "function",
                "function": {"name": "preview_audience", "arguments": '{"filter": {oops'},
            },
        ],
    }
    assert messages[3] == {
        "role": "tool",
        "tool_call_id": "call_abc",
        "content": json.dumps({"count": 12, "sample": ["Asha Rao"]}),
    }
    assert messages[4]["role"] == "tool" and messages[4]["tool_call_id"] == "call_def"
    assert json.loads(messages[4]["content"]) == {"error": "arguments were not valid JSON"}


async def test_history_without_native_is_rebuilt() -> None:
    """A turn stored by another provider (or before `native` existed) is rebuilt from its calls."""
    from crm.agent.providers.base import ToolCall

    fake = FakeOpenAI(text_response("ok"))
    turn = AssistantMessage(
        "Checking.", (ToolCall("c1", "preview_audience", {"filter": {}}),), native={"role": "model"}
    )
    await collect(fake.provider(), [UserMessage("hi"), turn, ToolResultMessage("c1", "preview_audience", 3)], [])
    request = fake.body(0)
    assert "tools" not in request
    assert request["messages"][2] == {
        "role": "assistant",
        "content": "Checking.",
        "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "preview_audience", "arguments": '{"filter": {}}'}}
        ],
    }
    assert request["messages"][3] == {"role": "tool", "tool_call_id": "c1", "content": "3"}


async def test_text_deltas_stream_in_order_and_make_the_final_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    fake = FakeOpenAI(text_response("Hel", "lo, ", "Pune", "!"))
    events = await collect(fake.provider(base_url=None), [UserMessage("hi")], [PREVIEW])
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert deltas == ["Hel", "lo, ", "Pune", "!"]
    assert completed(events).text == "".join(deltas) == "Hello, Pune!"
    assert isinstance(events[-1], Completed) and events[-1].usage == {"input_tokens": 120, "output_tokens": 9}
    assert fake.requests[0].url.host == "api.openai.com"
    assert fake.body(0)["stream_options"] == {"include_usage": True}


def error(status: int, message: str) -> httpx2.Response:
    body = {"error": {"message": message, "type": "invalid_request_error", "code": None}}
    return httpx2.Response(status, json=body, headers={"retry-after-ms": "1"})


async def test_bad_key_is_a_provider_error_without_retry() -> None:
    fake = FakeOpenAI(error(401, "Incorrect API key provided: sk-test."))
    with pytest.raises(ProviderError) as caught:
        await collect(fake.provider(), [UserMessage("hi")], [])
    assert str(caught.value) == "openai: invalid or missing API key (401): Incorrect API key provided: sk-test."
    assert len(fake.requests) == 1


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        (429, "Rate limit reached for gpt-4o-mini.", "openai: rate limited (429): Rate limit reached for gpt-4o-mini."),
        (500, "The server had an error.", "openai: server error (500): The server had an error."),
    ],
)
async def test_rate_limit_and_server_errors_retry_once_then_fail_clearly(
    status: int, message: str, expected: str
) -> None:
    fake = FakeOpenAI(error(status, message), error(status, message))
    with pytest.raises(ProviderError) as caught:
        await collect(fake.provider(), [UserMessage("hi")], [])
    assert str(caught.value) == expected
    assert len(fake.requests) == 2  # max_retries=1


async def test_unreachable_server_is_a_provider_error() -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused", request=request)

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(refuse))
    provider = OpenAIProvider(
        api_key="x", model="llama3.2", base_url="http://127.0.0.1:11434/v1", http_client=client, max_retries=0
    )
    with pytest.raises(ProviderError, match=r"^openai: could not reach the API: "):
        await collect(provider, [UserMessage("hi")], [])


async def test_an_error_event_in_the_middle_of_the_stream_is_a_provider_error() -> None:
    body = f"data: {json.dumps(chunk({'content': 'Hel'}))}\n\n" + 'data: {"error": {"message": "model overloaded"}}\n\n'
    fake = FakeOpenAI(httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body.encode()))
    events: list[StreamEvent] = []
    with pytest.raises(ProviderError, match=r"^openai: model overloaded$"):
        async for event in fake.provider().stream("sys", [UserMessage("hi")], []):
            events.append(event)
    assert events == [TextDelta("Hel")]
