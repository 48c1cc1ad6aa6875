"""The one interface every model provider implements, and the normalised conversation it sees.

The agent loop speaks only these types. A provider turns them into its SDK's request, streams
the answer back as `TextDelta`s and ends with one `Completed` holding the assistant turn: its
text and its tool calls. `native` keeps the provider's own form of an assistant turn so it can
be sent back unchanged (Gemini's thought signatures must survive the round trip).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol


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


class ProviderError(Exception):
    """A provider failed (bad key, rate limit, server error): shown to the marketer as is."""


class Provider(Protocol):
    name: str
    model: str

    def stream(self, system: str, messages: list[Message], tools: list[ToolSpec]) -> AsyncIterator[StreamEvent]: ...


async def complete(provider: Provider, system: str, messages: list[Message], tools: list[ToolSpec]) -> AssistantMessage:
    """The whole assistant turn, ignoring the token stream."""
    async for event in provider.stream(system, messages, tools):
        if isinstance(event, Completed):
            return event.message
    raise ProviderError(f"{provider.name} ended its answer without completing it")
