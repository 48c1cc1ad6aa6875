"""`build_provider`: LLM_PROVIDER picks the SDK, LLM_MODEL overrides the default model, and a
missing key names the variable to set."""

from __future__ import annotations

import json
from typing import Any

import httpx
import httpx2
import pytest

from crm.agent.providers.base import ProviderError, UserMessage, complete
from crm.agent.providers.factory import ProviderConfigError, build_provider
from crm.agent.providers.gemini_provider import GeminiProvider
from crm.agent.providers.groq_provider import GroqProvider
from crm.agent.providers.openai_provider import OpenAIProvider
from crm.config import Settings


def settings(**values: Any) -> Settings:
    """Settings from these values only (no .env, no inherited keys)."""
    blank: dict[str, Any] = {
        "groq_api_key": None,
        "gemini_api_key": None,
        "openai_api_key": None,
        "openai_base_url": None,
        "llm_model": None,
    }
    return Settings(_env_file=None, **{**blank, **values})


@pytest.mark.parametrize(
    ("provider", "variable"),
    [("groq", "GROQ_API_KEY"), ("gemini", "GEMINI_API_KEY"), ("openai", "OPENAI_API_KEY")],
)
def test_a_missing_key_names_the_variable(provider: str, variable: str) -> None:
    with pytest.raises(ProviderConfigError, match=rf"^LLM_PROVIDER={provider} needs {variable}$"):
        build_provider(settings(llm_provider=provider))


def test_a_blank_key_counts_as_missing() -> None:
    with pytest.raises(ProviderConfigError, match="GROQ_API_KEY"):
        build_provider(settings(llm_provider="groq", groq_api_key="  "))


@pytest.mark.parametrize(
    ("values", "kind", "model"),
    [
        ({"llm_provider": "groq", "groq_api_key": "gsk"}, GroqProvider, "llama-3.3-70b-versatile"),
        ({"llm_provider": "gemini", "gemini_api_key": "gm"}, GeminiProvider, "gemini-2.5-flash"),
        ({"llm_provider": "openai", "openai_api_key": "sk"}, OpenAIProvider, "gpt-4o-mini"),
        (
            {"llm_provider": "groq", "groq_api_key": "gsk", "llm_model": "qwen/qwen3-32b"},
            GroqProvider,
            "qwen/qwen3-32b",
        ),
        (
            {"llm_provider": "gemini", "gemini_api_key": "gm", "llm_model": "gemini-2.5-pro"},
            GeminiProvider,
            "gemini-2.5-pro",
        ),
        ({"llm_provider": "openai", "openai_api_key": "sk", "llm_model": "gpt-4.1"}, OpenAIProvider, "gpt-4.1"),
    ],
)
def test_the_chosen_provider_and_model(values: dict[str, Any], kind: type, model: str) -> None:
    provider = build_provider(settings(**values))
    assert isinstance(provider, kind)
    assert provider.model == model
    assert provider.name == values["llm_provider"]


def test_offline_is_not_built_here() -> None:
    with pytest.raises(ValueError, match="offline"):
        build_provider(settings(llm_provider="offline"))


async def test_openai_compatible_local_server_needs_no_key() -> None:
    seen: list[httpx2.Request] = []

    def ollama(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        chunk = {
            "id": "c",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "llama3.2",
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
        }
        body = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n"
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body.encode())

    provider = build_provider(
        settings(llm_provider="openai", openai_base_url="http://127.0.0.1:11434/v1", llm_model="llama3.2"),
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(ollama)),
    )
    assert isinstance(provider, OpenAIProvider) and provider.model == "llama3.2"
    message = await complete(provider, "sys", [UserMessage("hello")], [])
    assert message.text == "hi"
    assert str(seen[0].url) == "http://127.0.0.1:11434/v1/chat/completions"
    assert seen[0].headers["authorization"].startswith("Bearer ")


async def test_the_http_client_reaches_the_sdk() -> None:
    seen: list[httpx.Request] = []

    def groq(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(401, json={"error": {"message": "Invalid API Key"}})

    provider = build_provider(
        settings(llm_provider="groq", groq_api_key="gsk-bad"),
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(groq)),
    )
    with pytest.raises(ProviderError, match=r"^groq: invalid or missing API key \(401\): Invalid API Key$"):
        await complete(provider, "sys", [UserMessage("hello")], [])
    assert seen[0].headers["authorization"] == "Bearer gsk-bad"
