"""OpenAI chat completions through the official `openai` SDK, streamed, with function tools.

With `base_url` it talks to any OpenAI-compatible server (Ollama, vLLM, llama.cpp); those often
need no key, so the factory passes a placeholder. The request mapping and the stream
accumulation live in `chat_completions`, shared with Groq.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import cast

import httpx2
import openai
from openai.types.chat import (
    ChatCompletionMessageParam,
    ChatCompletionStreamOptionsParam,
    ChatCompletionToolUnionParam,
)

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


class OpenAIProvider:
    name = "openai"

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str | None = None,
        http_client: httpx2.AsyncClient | None = None,
        max_retries: int = 1,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self.model = model
        self.base_url = base_url
        self.client = openai.AsyncOpenAI(
            api_key=api_key,
            base_url=base_url,
            http_client=http_client,
            max_retries=max_retries,
            timeout=timeout,
        )

    async def stream(self, system: str, messages: list[Message], tools: list[ToolSpec]) -> AsyncIterator[StreamEvent]:
        wire_messages = cast(Iterable[ChatCompletionMessageParam], chat_messages(system, messages))
        wire_tools = cast(Iterable[ChatCompletionToolUnionParam], chat_tools(tools)) if tools else openai.omit
        # Usage in the last chunk is an OpenAI extension; compatible servers may reject it.
        usage: ChatCompletionStreamOptionsParam | openai.Omit = (
            {"include_usage": True} if self.base_url is None else openai.omit
        )
        turn = TurnBuilder()
        try:
            chunks = await self.client.chat.completions.create(
                model=self.model, messages=wire_messages, tools=wire_tools, stream=True, stream_options=usage
            )
            async with chunks:
                async for event in relay(chunks, turn, self.name):
                    yield event
        except openai.APIStatusError as exc:
            raise ProviderError(
                status_message(self.name, exc.status_code, error_detail(exc.body, exc.message))
            ) from exc
        except openai.APITimeoutError as exc:
            raise ProviderError(timeout_message(self.name), "timeout") from exc
        except openai.APIConnectionError as exc:  # also how the SDK reports a stream cut off mid-answer
            raise broken_stream(self.name, exc, turn) from exc
        except openai.APIError as exc:
            # An error event inside the stream: the answer was not a readable chat completion.
            raise ProviderError(f"{self.name}: {exc.message}", "malformed_stream") from exc
        except httpx2.TimeoutException as exc:
            raise ProviderError(timeout_message(self.name), "timeout") from exc
        except httpx2.TransportError as exc:  # the connection broke while the answer streamed
            raise broken_stream(self.name, exc, turn) from exc
