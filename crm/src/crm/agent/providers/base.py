"""The one interface every model provider implements, and the normalised conversation it sees.

The agent loop speaks only these types. A provider turns them into its SDK's request, streams
the answer back as `TextDelta`s and ends with one `Completed` holding the assistant turn: its
text and its tool calls. `native` keeps the provider's own form of an assistant turn so it can
be sent back unchanged (Gemini's thought signatures must survive the round trip).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    parameters: dict[str, Any]  # JSON Schema of the arguments object


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any]
    # Set when the model's argument text was not a JSON object: the loop reports it to the model
    # as invalid JSON instead of running the tool with whatever could be salvaged.
    arguments_error: str | None = None


@dataclass(frozen=True)
class UserMessage:
    text: str


@dataclass(frozen=True)
class AssistantMessage:
    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    native: Any = None  # the provider's own representation, replayed as-is when present


@dataclass(frozen=True)
class ToolResultMessage:
    call_id: str
    name: str
    result: Any  # JSON-serialisable data; never instructions


Message = UserMessage | AssistantMessage | ToolResultMessage


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class Completed:
    message: AssistantMessage
    usage: dict[str, int] = field(default_factory=dict)


StreamEvent = TextDelta | Completed


FailureKind = Literal[
    "status",  # the API answered with an HTTP error (bad key, rate limit, server error)
    "connection",  # the API could not be reached, or the connection broke
    "timeout",  # no answer within the time allowed
    "malformed_stream",  # the streamed answer was not readable (bad JSON, bad event)
    "truncated_stream",  # the stream ended before the model finished its answer
    "empty_answer",  # the model finished with neither text nor a tool call
    "blocked",  # the provider refused to answer (safety block)
]


class ProviderError(Exception):
    """A provider failed (bad key, rate limit, server error, broken stream): shown to the marketer
    as is, with a `kind` a client can branch on."""

    def __init__(self, message: str, kind: FailureKind = "status") -> None:
        super().__init__(message)
        self.kind: FailureKind = kind


class Provider(Protocol):
    name: str
    model: str

    def stream(self, system: str, messages: list[Message], tools: list[ToolSpec]) -> AsyncIterator[StreamEvent]: ...


async def complete(provider: Provider, system: str, messages: list[Message], tools: list[ToolSpec]) -> AssistantMessage:
    """The whole assistant turn, ignoring the token stream."""
    async for event in provider.stream(system, messages, tools):
        if isinstance(event, Completed):
            return event.message
    raise ProviderError(f"{provider.name} ended its answer without completing it", "truncated_stream")
