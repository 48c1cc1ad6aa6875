"""The Gemini provider through the real `google-genai` SDK against a local fake of
`:streamGenerateContent?alt=sse` (httpx2 mock transport): a multi-step tool loop whose model turn
is replayed unchanged (thought signatures included), streaming, and API errors."""

from __future__ import annotations

import base64
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
    ToolCall,
    ToolResultMessage,
    ToolSpec,
    UserMessage,
)
from crm.agent.providers.gemini_provider import GeminiProvider

BASE_URL = "http://fake-gemini.test/"
MODEL = "gemini-2.5-flash"
# A realistic opaque signature: standard base64 with "+" and "/" in it.
SIGNATURE = base64.b64encode(bytes(range(180, 256)) + b"reach-signature").decode()
PREVIEW = ToolSpec(
    "preview_audience",
    "Count the customers a filter matches.",
    {
        "type": "object",
        "properties": {
            "filter": {
                "type": "object",
                "properties": {
                    "conditions": {"type": "array", "items": {"anyOf": [{"type": "object"}, {"type": "string"}]}}
                },
            },
            "value": {"description": "untyped on purpose: Gemini's legacy Schema could not say this"},
        },
        "required": ["filter"],
    },
)
LIST_FIELDS = ToolSpec("list_fields", "The filterable fields.", {"type": "object", "properties": {}})


def chunk(
    parts: list[dict[str, Any]], finish: str | None = None, usage: dict[str, int] | None = None
) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    body: dict[str, Any] = {"candidates": [candidate], "modelVersion": MODEL, "responseId": "resp-1"}
    if usage:
        body["usageMetadata"] = usage
    return body


def sse(*chunks: dict[str, Any]) -> httpx2.Response:
    body = "".join(f"data: {json.dumps(c)}\r\n\r\n" for c in chunks)
    return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body.encode())


class FakeGemini:
    def __init__(self, *responses: httpx2.Response) -> None:
        self.responses = list(responses)
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return self.responses.pop(0)

    def body(self, n: int) -> dict[str, Any]:
        body: dict[str, Any] = json.loads(self.requests[n].content)
        return body

    def provider(self, max_retries: int = 0) -> GeminiProvider:
        client = httpx2.AsyncClient(transport=httpx2.MockTransport(self))
        return GeminiProvider(
            api_key="gm-test", model=MODEL, base_url=BASE_URL, http_client=client, max_retries=max_retries
        )


async def collect(provider: GeminiProvider, messages: list[Message], tools: list[ToolSpec]) -> list[StreamEvent]:
    return [event async for event in provider.stream("You are Reach.", messages, tools)]


def completed(events: list[StreamEvent]) -> Completed:
    assert isinstance(events[-1], Completed)
    assert not any(isinstance(e, Completed) for e in events[:-1])
    return events[-1]


def signature_bytes(part: dict[str, Any]) -> bytes:
    """Protobuf JSON accepts standard and URL-safe base64; the SDK re-encodes URL-safe."""
    return base64.urlsafe_b64decode(part["thoughtSignature"].replace("+", "-").replace("/", "_"))


def without_signature(part: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in part.items() if k != "thoughtSignature"}


async def test_tool_loop_replays_the_model_turn_and_sends_function_responses() -> None:
    model_parts: list[dict[str, Any]] = [
        {"text": "Let me count "},
        {"text": "both cities."},
        {
            "functionCall": {"name": "preview_audience", "args": {"filter": {"city": "Pune"}, "limit": 5}},
            "thoughtSignature": SIGNATURE,
        },
        {"functionCall": {"name": "preview_audience", "args": {"filter": {"city": "Mumbai"}}}},  # parallel: unsigned
    ]
    fake = FakeGemini(
        sse(
            chunk(model_parts[:1]),
            chunk(model_parts[1:2]),
            chunk(model_parts[2:], finish="STOP", usage={"promptTokenCount": 210, "candidatesTokenCount": 31}),
        ),
        sse(chunk([{"text": "Pune has 12, "}]), chunk([{"text": "Mumbai 30."}], finish="STOP")),
    )
    provider = fake.provider()
    history: list[Message] = [UserMessage("Pune vs Mumbai?")]

    events = await collect(provider, history, [PREVIEW, LIST_FIELDS])
    first = completed(events)
    assert [e.text for e in events if isinstance(e, TextDelta)] == ["Let me count ", "both cities."]
    assert first.message.text == "Let me count both cities."
    assert first.message.tool_calls == (
        ToolCall("gemini_call_1_0", "preview_audience", {"filter": {"city": "Pune"}, "limit": 5}),
        ToolCall("gemini_call_1_1", "preview_audience", {"filter": {"city": "Mumbai"}}),
    )
    assert first.usage == {"input_tokens": 210, "output_tokens": 31}
    json.dumps(first.message.native)  # storable as JSON

    request = fake.requests[0]
    assert request.url.path.endswith(f"/models/{MODEL}:streamGenerateContent")
    assert request.url.params["alt"] == "sse"
    assert request.headers["x-goog-api-key"] == "gm-test"
    body = fake.body(0)
    assert body["contents"] == [{"role": "user", "parts": [{"text": "Pune vs Mumbai?"}]}]
    assert body["systemInstruction"]["parts"] == [{"text": "You are Reach."}]
    declarations = body["tools"][0]["functionDeclarations"]
    # The SDK sends the JSON Schema under the proto field name; the API accepts either spelling.
    assert declarations[0]["name"] == "preview_audience"
    assert (
        declarations[0].get("parametersJsonSchema") or declarations[0]["parameters_json_schema"]
    ) == PREVIEW.parameters
    assert declarations[1] == {"name": "list_fields", "description": "The filterable fields."}
    assert "automaticFunctionCalling" not in json.dumps(body)  # a client-side setting, never sent

    # The loop's part: keep the turn as-is (as it would come back from the database), run the tools.
    stored = AssistantMessage(
        first.message.text, first.message.tool_calls, json.loads(json.dumps(first.message.native))
    )
    history.append(stored)
    history.append(ToolResultMessage("gemini_call_1_0", "preview_audience", {"count": 12}))
    history.append(ToolResultMessage("gemini_call_1_1", "preview_audience", [30, "customers"]))
    second = completed(await collect(provider, history, [PREVIEW, LIST_FIELDS]))
    assert second.message.text == "Pune has 12, Mumbai 30." and second.message.tool_calls == ()

    contents = fake.body(1)["contents"]
    assert [c["role"] for c in contents] == ["user", "model", "user"]
    replayed = contents[1]["parts"]
    assert [without_signature(p) for p in replayed] == [without_signature(p) for p in model_parts]
    assert signature_bytes(replayed[2]) == base64.b64decode(SIGNATURE)
    assert ["thoughtSignature" in p for p in replayed] == [False, False, True, False]
    assert contents[2]["parts"] == [
        {"functionResponse": {"name": "preview_audience", "response": {"count": 12}}},
        {"functionResponse": {"name": "preview_audience", "response": {"output": [30, "customers"]}}},
    ]


async def test_call_ids_from_gemini_are_kept_and_echoed() -> None:
    call = {"id": "fc-9", "name": "list_fields", "args": {}}
    fake = FakeGemini(
        sse(chunk([{"functionCall": call, "thoughtSignature": SIGNATURE}], finish="STOP")),
        sse(chunk([{"text": "Done."}], finish="STOP")),
    )
    provider = fake.provider()
    first = completed(await collect(provider, [UserMessage("fields?")], [LIST_FIELDS])).message
    assert first.tool_calls == (ToolCall("fc-9", "list_fields", {}),)
    history: list[Message] = [UserMessage("fields?"), first, ToolResultMessage("fc-9", "list_fields", {"fields": []})]
    await collect(provider, history, [LIST_FIELDS])
    contents = fake.body(1)["contents"]
    assert contents[1]["parts"][0]["functionCall"] == call
    assert contents[2]["parts"] == [
        {"functionResponse": {"id": "fc-9", "name": "list_fields", "response": {"fields": []}}}
    ]


async def test_text_deltas_stream_in_order_thoughts_stay_out_of_the_text() -> None:
    fake = FakeGemini(
        sse(
            chunk([{"text": "Weighing channels…", "thought": True}]),
            chunk([{"text": "WhatsApp "}]),
            chunk([{"text": "reads best "}]),
            chunk([{"text": "in Pune."}]),
            chunk([{"text": "", "thoughtSignature": SIGNATURE}], finish="STOP"),
        )
    )
    events = await collect(fake.provider(), [UserMessage("Which channel?")], [])
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert deltas == ["WhatsApp ", "reads best ", "in Pune."]
    message = completed(events).message
    assert message.text == "".join(deltas)
    native_parts = message.native["parts"]
    assert len(native_parts) == 5 and native_parts[0]["thought"] is True and native_parts[-1]["thought_signature"]
    assert "tools" not in fake.body(0)


async def test_turns_from_another_provider_are_rebuilt_with_the_placeholder_signature() -> None:
    fake = FakeGemini(sse(chunk([{"text": "ok"}], finish="STOP")))
    turn = AssistantMessage("", (ToolCall("call_x", "list_fields", {}),), native={"role": "assistant", "content": None})
    await collect(fake.provider(), [UserMessage("hi"), turn, ToolResultMessage("call_x", "list_fields", "none")], [])
    contents = fake.body(0)["contents"]
    assert contents[1]["role"] == "model"
    part = contents[1]["parts"][0]
    assert part["functionCall"] == {"id": "call_x", "name": "list_fields", "args": {}}
    assert signature_bytes(part) == b"skip_thought_signature_validator"
    assert contents[2]["parts"] == [
        {"functionResponse": {"id": "call_x", "name": "list_fields", "response": {"output": "none"}}}
    ]


def error(status: int, api_status: str, message: str) -> httpx2.Response:
    return httpx2.Response(status, json={"error": {"code": status, "message": message, "status": api_status}})


@pytest.mark.parametrize(
    ("status", "api_status", "message", "expected"),
    [
        (
            401,
            "UNAUTHENTICATED",
            "API key not valid. Please pass a valid API key.",
            "gemini: invalid or missing API key (401): API key not valid. Please pass a valid API key.",
        ),
        (
            429,
            "RESOURCE_EXHAUSTED",
            "Resource has been exhausted (e.g. check quota).",
            "gemini: rate limited (429): Resource has been exhausted (e.g. check quota).",
        ),
        (
            500,
            "INTERNAL",
            "An internal error has occurred.",
            "gemini: server error (500): An internal error has occurred.",
        ),
    ],
)
async def test_api_errors_are_provider_errors(status: int, api_status: str, message: str, expected: str) -> None:
    fake = FakeGemini(error(status, api_status, message))
    with pytest.raises(ProviderError) as caught:
        await collect(fake.provider(), [UserMessage("hi")], [PREVIEW])
    assert str(caught.value) == expected


async def test_blocked_prompt_is_a_provider_error() -> None:
    fake = FakeGemini(sse({"promptFeedback": {"blockReason": "SAFETY"}, "modelVersion": MODEL}))
    with pytest.raises(ProviderError, match=r"^gemini: the request was blocked \(SAFETY\)$"):
        await collect(fake.provider(), [UserMessage("hi")], [])


async def test_unreachable_api_is_a_provider_error() -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused", request=request)

    provider = GeminiProvider(
        api_key="k",
        model=MODEL,
        base_url=BASE_URL,
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(refuse)),
        max_retries=0,
    )
    with pytest.raises(ProviderError, match=r"^gemini: could not reach the API: connection refused$"):
        await collect(provider, [UserMessage("hi")], [])
