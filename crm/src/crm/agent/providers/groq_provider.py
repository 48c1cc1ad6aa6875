"""Groq chat completions through the official `groq` SDK, streamed, with function tools.

Groq speaks the OpenAI chat-completions shape; the mapping is shared in `chat_completions`.
The SDK runs on plain `httpx`. Groq reports the stream's usage in the final chunk's `x_groq`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import cast

import groq
import httpx
from groq.types.chat import ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionToolParam

from crm.agent.providers.base import Message, ProviderError, StreamEvent, ToolSpec
from crm.agent.providers.chat_completions import (
    TurnBuilder,
    broken_stream,
    chat_messages,
    chat_tools,
    error_detail,
    relay,
    status_message,
    timeout_message,
)

DEFAULT_TIMEOUT_SECONDS = 60.0


class GroqProvider:
    name = "groq"

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_retries: int = 1,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self.model = model
        self.client = groq.AsyncGroq(
            api_key=api_key,
            base_url=base_url,
            http_client=http_client,
            max_retries=max_retries,
            timeout=timeout,
        )

    async def stream(self, system: str, messages: list[Message], tools: list[ToolSpec]) -> AsyncIterator[StreamEvent]:
        wire_messages = cast(Iterable[ChatCompletionMessageParam], chat_messages(system, messages))
        wire_tools = cast(Iterable[ChatCompletionToolParam], chat_tools(tools)) if tools else groq.omit
        turn = TurnBuilder()
        try:
            chunks = await self.client.chat.completions.create(
                model=self.model, messages=wire_messages, tools=wire_tools, stream=True
            )
            async with chunks:
                async for event in relay(with_groq_usage(chunks, turn), turn, self.name):
                    yield event
        except groq.APIStatusError as exc:
            raise ProviderError(
                status_message(self.name, exc.status_code, error_detail(exc.body, exc.message))
            ) from exc
        except groq.APITimeoutError as exc:
            raise ProviderError(timeout_message(self.name), "timeout") from exc
        except groq.APIConnectionError as exc:  # also how the SDK reports a stream cut off mid-answer
            raise broken_stream(self.name, exc, turn) from exc
        except groq.APIError as exc:
            # An error event inside the stream: the answer was not a readable chat completion.
            raise ProviderError(f"{self.name}: {exc.message}", "malformed_stream") from exc
        except httpx.TimeoutException as exc:
            raise ProviderError(timeout_message(self.name), "timeout") from exc
        except httpx.TransportError as exc:  # the connection broke while the answer streamed
            raise broken_stream(self.name, exc, turn) from exc


async def with_groq_usage(
    chunks: AsyncIterator[ChatCompletionChunk], turn: TurnBuilder
) -> AsyncIterator[ChatCompletionChunk]:
    async for chunk in chunks:
        if chunk.x_groq is not None:
            turn.add_usage(chunk.x_groq.usage)
        yield chunk
