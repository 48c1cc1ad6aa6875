"""The chat-completions wire shape, shared by the OpenAI and Groq providers.

Both SDKs speak the same protocol with their own (structurally identical) types, so this module
works on plain dicts going out and on small structural protocols coming back:

- `chat_messages` / `chat_tools` turn the normalised conversation into the request;
- `relay` reads the streamed chunks, yields a `TextDelta` per content delta, accumulates the
  tool-call fragments by index and ends with one `Completed`;
- `status_message` words an HTTP failure as one line for the marketer (Gemini uses it too).

An assistant turn keeps its exact wire form in `AssistantMessage.native` (a JSON-serialisable
dict with ``role: "assistant"``), so a turn whose arguments were malformed is replayed as the
model wrote it. A `native` that is not of this shape (another provider's) is ignored and the
turn is rebuilt from its text and tool calls.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

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

EMPTY_OBJECT_SCHEMA: dict[str, Any] = {"type": "object", "properties": {}}
MAX_DETAIL_CHARS = 300


# ---------------------------------------------------------------------------------- request


def chat_tools(tools: list[ToolSpec]) -> list[dict[str, Any]]:
    return [
        {
            "type": "function",
            "function": {
                "name": t.name,
                "description": t.description,
                "parameters": t.parameters or EMPTY_OBJECT_SCHEMA,
            },
        }
        for t in tools
    ]


def chat_messages(system: str, messages: list[Message]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
    for message in messages:
        if isinstance(message, UserMessage):
            out.append({"role": "user", "content": message.text})
        elif isinstance(message, AssistantMessage):
            out.append(assistant_message(message))
        else:
            out.append(tool_message(message))
    return out


def assistant_message(message: AssistantMessage) -> dict[str, Any]:
    native = message.native
    if isinstance(native, dict) and native.get("role") == "assistant":
        return native
    return wire_assistant(message.text, [(c.id, c.name, json.dumps(c.arguments)) for c in message.tool_calls])


def wire_assistant(text: str, calls: Sequence[tuple[str, str, str]]) -> dict[str, Any]:
    """The assistant turn as the chat-completions API has it (arguments as raw JSON text)."""
    wire: dict[str, Any] = {"role": "assistant", "content": text or None}
    if calls:
        wire["tool_calls"] = [
            {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
            for call_id, name, arguments in calls
        ]
    elif not text:
        wire["content"] = ""
    return wire


def tool_message(message: ToolResultMessage) -> dict[str, Any]:
    return {
        "role": "tool",
        "tool_call_id": message.call_id,
        "content": json.dumps(message.result, ensure_ascii=False, default=str),
    }


# ---------------------------------------------------------------------------------- response


class FunctionDelta(Protocol):
    @property
    def name(self) -> str | None: ...
    @property
    def arguments(self) -> str | None: ...


class ToolCallDelta(Protocol):
    @property
    def index(self) -> int: ...
    @property
    def id(self) -> str | None: ...
    @property
    def function(self) -> FunctionDelta | None: ...


class Delta(Protocol):
    @property
    def content(self) -> str | None: ...
    @property
    def tool_calls(self) -> Sequence[ToolCallDelta] | None: ...


class Choice(Protocol):
    @property
    def delta(self) -> Delta: ...
    @property
    def finish_reason(self) -> str | None: ...


class Usage(Protocol):
    @property
    def prompt_tokens(self) -> int: ...
    @property
    def completion_tokens(self) -> int: ...


class Chunk(Protocol):
    @property
    def choices(self) -> Sequence[Choice]: ...
    @property
    def usage(self) -> Usage | None: ...


def parse_arguments(raw: str) -> tuple[dict[str, Any], str | None]:
    """The call's arguments, and why they could not be read when they are not a JSON object
    (the loop tells the model its arguments were invalid JSON and does not run the tool)."""
    if not raw.strip():
        return {}, None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        return {}, f"invalid JSON ({exc.msg} at character {exc.pos}): {one_line(raw)}"
    if not isinstance(value, dict):
        return {}, f"invalid JSON: expected an object, got {type(value).__name__}: {one_line(raw)}"
    return value, None


@dataclass
class _PartialCall:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


@dataclass
class TurnBuilder:
    """Accumulates one streamed assistant turn."""

    text: list[str] = field(default_factory=list)
    calls: dict[int, _PartialCall] = field(default_factory=dict)
    usage: dict[str, int] = field(default_factory=dict)
    finish_reason: str | None = None

    def finish(self, reason: str | None) -> None:
        if reason:
            self.finish_reason = reason

    def add_text(self, text: str | None) -> str | None:
        if not text:
            return None
        self.text.append(text)
        return text

    def add_tool_calls(self, deltas: Sequence[ToolCallDelta] | None) -> None:
        for position, delta in enumerate(deltas or ()):
            index = delta.index if isinstance(delta.index, int) else position
            call = self.calls.setdefault(index, _PartialCall())
            if delta.id and not call.id:
                call.id = delta.id
            if delta.function is not None:
                if delta.function.name and not call.name:
                    call.name = delta.function.name
                if delta.function.arguments:
                    call.arguments.append(delta.function.arguments)

    def add_usage(self, usage: Usage | None) -> None:
        if usage is not None:
            self.usage = {"input_tokens": usage.prompt_tokens, "output_tokens": usage.completion_tokens}

    def completed(self) -> Completed:
        text = "".join(self.text)
        wire_calls = [
            (call.id or f"call_{index}", call.name, "".join(call.arguments))
            for index, call in sorted(self.calls.items())
        ]
        tool_calls = tuple(ToolCall(call_id, name, *parse_arguments(raw)) for call_id, name, raw in wire_calls)
        return Completed(AssistantMessage(text, tool_calls, wire_assistant(text, wire_calls)), dict(self.usage))


# What an SDK raises when a streamed chunk is not what the protocol says: undecodable JSON
# (ValueError), or a chunk missing the fields every chunk has (the SDKs build chunks unvalidated).
MALFORMED_CHUNK_ERRORS = (ValueError, AttributeError, TypeError, KeyError, IndexError)


async def relay(
    chunks: AsyncIterator[Chunk], builder: TurnBuilder | None = None, provider: str = "model"
) -> AsyncIterator[StreamEvent]:
    """Streamed chunks → `TextDelta`s, then one `Completed`. A stream whose chunks cannot be
    read is a `malformed_stream` error; one that ends before the model said why it stopped
    (no finish reason: the connection closed mid-answer) is a `truncated_stream` error."""
    turn = builder or TurnBuilder()
    iterator = aiter(chunks)
    while True:
        try:
            chunk = await anext(iterator)
            turn.add_usage(chunk.usage)
            choices = list(chunk.choices[:1])
            deltas = [(c.delta.content, c.delta.tool_calls, c.finish_reason) for c in choices]
        except StopAsyncIteration:
            break
        except MALFORMED_CHUNK_ERRORS as exc:
            raise ProviderError(
                f"{provider}: the streamed answer could not be read ({one_line(str(exc)) or type(exc).__name__})",
                "malformed_stream",
            ) from exc
        for content, tool_calls, finish_reason in deltas:
            text = turn.add_text(content)
            if text is not None:
                yield TextDelta(text)
            turn.add_tool_calls(tool_calls)
            turn.finish(finish_reason)
    if turn.finish_reason is None:
        raise ProviderError(
            f"{provider}: the answer stream ended before the model finished (no finish reason)",
            "truncated_stream",
        )
    yield turn.completed()


# ---------------------------------------------------------------------------------- errors

STATUS_LABELS = {
    400: "bad request",
    401: "invalid or missing API key",
    403: "permission denied",
    404: "model or endpoint not found",
    408: "request timed out",
    413: "request too large",
    422: "request rejected",
    429: "rate limited",
}


def status_label(status: int) -> str:
    if status in STATUS_LABELS:
        return STATUS_LABELS[status]
    if status >= 500:
        return "server error"
    return "request failed"


def one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_DETAIL_CHARS else flat[: MAX_DETAIL_CHARS - 1] + "…"


def error_detail(body: object, fallback: str) -> str:
    """The provider's own message from an error body ({"message": …} or {"error": {"message": …}})."""
    if isinstance(body, dict):
        message = body.get("message")
        nested = body.get("error")
        if not message and isinstance(nested, dict):
            message = nested.get("message")
        if isinstance(message, str) and message:
            return message
    return fallback


def status_message(provider: str, status: int, detail: str) -> str:
    """``groq: rate limited (429): Rate limit reached for model …``"""
    head = f"{provider}: {status_label(status)} ({status})"
    detail = one_line(detail)
    return f"{head}: {detail}" if detail else head


def connection_message(provider: str, detail: str) -> str:
    return f"{provider}: could not reach the API: {one_line(detail)}"


def timeout_message(provider: str) -> str:
    return f"{provider}: the model did not answer in time (request timed out)"


def broken_stream(provider: str, exc: BaseException, turn: TurnBuilder) -> ProviderError:
    """A transport failure: before any of the answer arrived it is a connection problem; after,
    the stream was cut off mid-answer."""
    detail = one_line(str(exc)) or type(exc).__name__
    if turn.text or turn.calls:
        return ProviderError(f"{provider}: the answer stream broke off mid-answer ({detail})", "truncated_stream")
    return ProviderError(connection_message(provider, detail), "connection")
