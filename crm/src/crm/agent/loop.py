"""The bounded agent loop: model → tool calls → results → model, until the model answers in
words, the step budget runs out, or the turn's time budget does. Provider and tool failures
become messages, never a crashed turn."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from crm.agent.prompt import SYSTEM_PROMPT
from crm.agent.providers.base import (
    AssistantMessage,
    Completed,
    FailureKind,
    Message,
    Provider,
    ProviderError,
    TextDelta,
    ToolResultMessage,
)
from crm.agent.tools import TOOLS, ToolContext, run_tool

MAX_STEPS = 8
TURN_SECONDS = 60.0
MAX_RESULT_CHARS = 12_000


@dataclass(frozen=True)
class TokenEvent:
    text: str


@dataclass(frozen=True)
class AssistantEvent:
    message: AssistantMessage


@dataclass(frozen=True)
class ToolCallEvent:
    call_id: str
    tool: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class ToolResultEvent:
    call_id: str
    tool: str
    arguments: dict[str, Any]
    result: Any


@dataclass(frozen=True)
class Failure:
    """Why a turn stopped early, for a client to branch on (`kind`) and a person to read."""

    kind: FailureKind
    message: str


@dataclass(frozen=True)
class DoneEvent:
    reply: str
    steps: int
    stopped: str  # "answered" | "max_steps" | "time_budget" | "provider_error"
    staged_campaign_ids: list[int] = field(default_factory=list)
    staged_sequence_ids: list[int] = field(default_factory=list)
    failure: Failure | None = None


AgentEvent = TokenEvent | AssistantEvent | ToolCallEvent | ToolResultEvent | DoneEvent


def bounded(result: Any) -> Any:
    """Keeps a tool result small enough for a model's context."""
    text = json.dumps(result, default=str)
    if len(text) <= MAX_RESULT_CHARS:
        return result
    return {"kind": "truncated", "truncated": True, "preview": text[:MAX_RESULT_CHARS]}


@dataclass
class AgentLoop:
    provider: Provider
    max_steps: int = MAX_STEPS
    turn_seconds: float = TURN_SECONDS
    system: str = SYSTEM_PROMPT

    async def run(self, ctx: ToolContext, history: list[Message]) -> AsyncIterator[AgentEvent]:
        """`history` ends with the new user message; it is extended in place as the turn goes."""
        deadline = time.monotonic() + self.turn_seconds
        tools = [t.spec for t in TOOLS.values()]
        reply_parts: list[str] = []
        for step in range(1, self.max_steps + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seconds = round(self.turn_seconds)
                spent = Failure("timeout", f"The turn used its {seconds} s time budget before the model finished.")
                yield self._done(ctx, [*reply_parts, spent.message], step - 1, "time_budget", spent)
                return
            message: AssistantMessage | None = None
            failure: Failure | None = None
            stopped = "provider_error"
            try:
                async with asyncio.timeout(remaining):
                    async for event in self.provider.stream(self.system, history, tools):
                        if isinstance(event, TextDelta):
                            yield TokenEvent(event.text)
                        elif isinstance(event, Completed):
                            message = event.message
            except TimeoutError:
                stopped = "time_budget"
                seconds = round(self.turn_seconds)
                failure = Failure("timeout", f"The {self.provider.name} model did not answer within {seconds} s.")
            except ProviderError as exc:
                failure = Failure(exc.kind, f"The {self.provider.name} model failed: {exc}.")
            if failure is None and message is None:
                failure = Failure("truncated_stream", f"The {self.provider.name} model ended without an answer.")
            elif failure is None and message is not None and is_empty(message) and not reply_parts:
                failure = Failure("empty_answer", f"The {self.provider.name} model returned an empty answer.")
            if failure is not None or message is None:
                failure = failure or Failure("truncated_stream", "no answer")
                text = f"{failure.message} Nothing was changed by this message."
                yield TokenEvent(text)
                yield self._done(ctx, [*reply_parts, text], step - 1, stopped, failure)
                return
            history.append(message)
            yield AssistantEvent(message)
            if message.text:
                reply_parts.append(message.text)
            if not message.tool_calls:
                yield self._done(ctx, reply_parts, step, "answered")
                return
            for call in message.tool_calls:
                yield ToolCallEvent(call.id, call.name, call.arguments)
                if call.arguments_error is not None:
                    result: Any = invalid_json_result(call.name, call.arguments_error)
                else:
                    result = bounded(await run_tool(ctx, call.name, call.arguments))
                history.append(ToolResultMessage(call.id, call.name, result))
                yield ToolResultEvent(call.id, call.name, call.arguments, result)
        note = f"I stopped after {self.max_steps} steps without finishing; tell me how to narrow this down."
        yield TokenEvent(note)
        yield self._done(ctx, [*reply_parts, note], self.max_steps, "max_steps")

    @staticmethod
    def _done(
        ctx: ToolContext, parts: list[str], steps: int, stopped: str, failure: Failure | None = None
    ) -> DoneEvent:
        reply = "\n\n".join(p for p in parts if p).strip() or "I could not finish that; please try again."
        return DoneEvent(reply, steps, stopped, list(ctx.staged_campaign_ids), list(ctx.staged_sequence_ids), failure)


def is_empty(message: AssistantMessage) -> bool:
    return not message.text.strip() and not message.tool_calls


def invalid_json_result(tool: str, problem: str) -> dict[str, Any]:
    """What the model is told when its arguments were not a JSON object: the tool did not run."""
    return {
        "kind": "error",
        "error": f"the arguments for {tool} were {problem}; nothing was run — "
        "send the arguments again as one valid JSON object",
    }
