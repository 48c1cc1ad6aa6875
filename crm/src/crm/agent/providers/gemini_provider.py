"""Gemini through the official `google-genai` SDK: streamed `generate_content` with function
declarations and automatic function calling switched off (the agent loop runs the tools).

- Tool schemas go over as `parameters_json_schema` (full JSON Schema, no conversion needed).
- Tool calls come from `function_call` parts. Gemini may leave their ids out; those get a
  stable synthetic id (``gemini_call_<position>_<n>``) and their `function_response` is sent
  without an id, matched by name and order as Gemini expects.
- The model's turn is kept as it arrived: all its parts, in order, as one SDK `Content`
  dumped to JSON in `AssistantMessage.native` and replayed as-is, so thought signatures
  survive. A turn without a Gemini `native` (from another provider) is rebuilt, with the
  documented placeholder signature on its function calls.
- Consecutive tool results become one user turn of `function_response` parts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import httpx2
from google import genai
from google.genai import errors, types

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
from crm.agent.providers.chat_completions import (
    MALFORMED_CHUNK_ERRORS,
    connection_message,
    status_message,
    timeout_message,
)

DEFAULT_TIMEOUT_SECONDS = 60.0
SYNTHETIC_ID_PREFIX = "gemini_call_"
# Documented by Google for function calls that did not come from the model (no real signature).
PLACEHOLDER_SIGNATURE = b"skip_thought_signature_validator"


class GeminiProvider:
    name = "gemini"

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str | None = None,
        http_client: httpx2.AsyncClient | httpx.AsyncClient | None = None,
        max_retries: int = 1,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self.model = model
        retry = types.HttpRetryOptions(attempts=max_retries + 1) if max_retries > 0 else None
        options = types.HttpOptions(
            base_url=base_url, httpx_async_client=http_client, retry_options=retry, timeout=int(timeout * 1000)
        )
        self.client = genai.Client(vertexai=False, api_key=api_key, http_options=options)

    def config(self, system: str, tools: list[ToolSpec]) -> types.GenerateContentConfig:
        return types.GenerateContentConfig(
            system_instruction=system or None,
            tools=[types.Tool(function_declarations=[function_declaration(t) for t in tools])] if tools else None,
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        )

    async def stream(self, system: str, messages: list[Message], tools: list[ToolSpec]) -> AsyncIterator[StreamEvent]:
        turn = TurnBuilder(position=len(messages))
        try:
            chunks = await self.client.aio.models.generate_content_stream(
                model=self.model, contents=gemini_contents(messages), config=self.config(system, tools)
            )
            async for chunk in chunks:
                for text in turn.add(chunk):
                    yield TextDelta(text)
        except errors.APIError as exc:
            detail = exc.message or (str(exc.status) if exc.status else "")
            raise ProviderError(status_message(self.name, exc.code, detail)) from exc
        except (httpx2.TimeoutException, httpx.TimeoutException) as exc:
            raise ProviderError(timeout_message(self.name), "timeout") from exc
        except (httpx2.TransportError, httpx.TransportError) as exc:
            if turn.parts:
                detail = str(exc) or type(exc).__name__
                raise ProviderError(
                    f"{self.name}: the answer stream broke off mid-answer ({detail})", "truncated_stream"
                ) from exc
            raise ProviderError(connection_message(self.name, str(exc) or type(exc).__name__), "connection") from exc
        except MALFORMED_CHUNK_ERRORS as exc:
            raise ProviderError(
                f"{self.name}: the streamed answer could not be read ({str(exc) or type(exc).__name__})",
                "malformed_stream",
            ) from exc
        yield turn.completed()


# ---------------------------------------------------------------------------------- request


def function_declaration(tool: ToolSpec) -> types.FunctionDeclaration:
    takes_arguments = bool(tool.parameters.get("properties"))
    return types.FunctionDeclaration(
        name=tool.name,
        description=tool.description,
        parameters_json_schema=tool.parameters if takes_arguments else None,
    )


def gemini_contents(messages: list[Message]) -> list[types.Content]:
    contents: list[types.Content] = []
    results: list[types.Part] = []
    for message in messages:
        if isinstance(message, ToolResultMessage):
            results.append(function_response(message))
            continue
        if results:
            contents.append(types.Content(role="user", parts=results))
            results = []
        if isinstance(message, UserMessage):
            contents.append(types.Content(role="user", parts=[types.Part(text=message.text)]))
        else:
            model_turn = model_content(message)
            if model_turn.parts:
                contents.append(model_turn)
    if results:
        contents.append(types.Content(role="user", parts=results))
    return contents


def model_content(message: AssistantMessage) -> types.Content:
    native = message.native
    if isinstance(native, dict) and isinstance(native.get("parts"), list):
        return types.Content.model_validate(native)
    parts = [types.Part(text=message.text)] if message.text else []
    for call in message.tool_calls:
        call_id = None if call.id.startswith(SYNTHETIC_ID_PREFIX) else call.id
        parts.append(
            types.Part(
                function_call=types.FunctionCall(id=call_id, name=call.name, args=call.arguments),
                thought_signature=PLACEHOLDER_SIGNATURE,
            )
        )
    return types.Content(role="model", parts=parts)


def function_response(message: ToolResultMessage) -> types.Part:
    result = message.result
    response: dict[str, Any] = result if isinstance(result, dict) else {"output": result}
    call_id = None if message.call_id.startswith(SYNTHETIC_ID_PREFIX) else message.call_id
    return types.Part(function_response=types.FunctionResponse(id=call_id, name=message.name, response=response))


# ---------------------------------------------------------------------------------- response


class TurnBuilder:
    """Collects the streamed model turn: every part in order, plus usage and stop reason."""

    def __init__(self, position: int) -> None:
        self.position = position
        self.parts: list[types.Part] = []
        self.usage: dict[str, int] = {}
        self.finish_reason: str | None = None
        self.block_reason: str | None = None

    def add(self, chunk: types.GenerateContentResponse) -> list[str]:
        """Records the chunk; returns its visible text deltas."""
        if chunk.usage_metadata is not None:
            meta = chunk.usage_metadata
            self.usage = {
                "input_tokens": meta.prompt_token_count or 0,
                "output_tokens": meta.candidates_token_count or 0,
            }
        if chunk.prompt_feedback is not None and chunk.prompt_feedback.block_reason is not None:
            self.block_reason = str(chunk.prompt_feedback.block_reason.value)
        if not chunk.candidates:
            return []
        candidate = chunk.candidates[0]
        if candidate.finish_reason is not None:
            self.finish_reason = str(candidate.finish_reason.value)
        parts = candidate.content.parts if candidate.content is not None and candidate.content.parts else []
        self.parts.extend(parts)
        return [p.text for p in parts if p.text and not p.thought]

    def completed(self) -> Completed:
        if not self.parts:
            if self.block_reason:
                raise ProviderError(f"gemini: the request was blocked ({self.block_reason})", "blocked")
            if self.finish_reason not in (None, "STOP"):
                raise ProviderError(
                    f"gemini: the model stopped without answering ({self.finish_reason})", "empty_answer"
                )
            if self.finish_reason is None:
                raise ProviderError("gemini: the answer stream ended before the model finished", "truncated_stream")
        text = "".join(p.text for p in self.parts if p.text and not p.thought)
        calls: list[ToolCall] = []
        for part in self.parts:
            call = part.function_call
            if call is None:
                continue
            call_id = call.id or f"{SYNTHETIC_ID_PREFIX}{self.position}_{len(calls)}"
            calls.append(ToolCall(call_id, call.name or "", dict(call.args or {})))
        content = types.Content(role="model", parts=self.parts)
        native = content.model_dump(mode="json", exclude_none=True)
        return Completed(AssistantMessage(text, tuple(calls), native), dict(self.usage))
