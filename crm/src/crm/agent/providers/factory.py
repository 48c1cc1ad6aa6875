"""Builds the hosted model provider that `LLM_PROVIDER` names.

``build_provider`` handles "groq", "gemini" and "openai"; the offline planner is built by the
caller (see `crm.agent.provider_choice`), so "offline" raises `ValueError` here. A chosen
provider without its key raises `ProviderConfigError` naming the variable to set — except
OpenAI with a custom `OPENAI_BASE_URL` (a local Ollama / vLLM / llama.cpp server), which often
needs no key and gets a placeholder.

`http_client` is handed to the SDK unchanged (tests pass one over a mock transport): an
`httpx2.AsyncClient` for openai and gemini, an `httpx.AsyncClient` for groq.
"""

from __future__ import annotations

from typing import Any

from crm.agent.providers.base import Provider
from crm.config import Settings

DEFAULT_MODELS = {
    "groq": "llama-3.3-70b-versatile",
    "gemini": "gemini-2.5-flash",
    "openai": "gpt-4o-mini",
}
LOCAL_SERVER_PLACEHOLDER_KEY = "not-needed"  # OpenAI-compatible local servers ignore the key
SDK_MAX_RETRIES = 1


class ProviderConfigError(Exception):
    """The chosen provider cannot be built from the settings (usually a missing API key)."""


def _require(value: str | None, provider: str, env_var: str) -> str:
    if value and value.strip():
        return value.strip()
    raise ProviderConfigError(f"LLM_PROVIDER={provider} needs {env_var}")


def build_provider(settings: Settings, *, http_client: Any | None = None) -> Provider:
    """The provider for `settings.llm_provider`, with `settings.llm_model` or its default model.
    The SDKs are imported only for the provider chosen."""
    kind = settings.llm_provider
    if kind == "offline":
        raise ValueError("LLM_PROVIDER=offline is the built-in planner; build it with OfflinePlanner()")
    model = (settings.llm_model or "").strip() or DEFAULT_MODELS[kind]
    if kind == "groq":
        from crm.agent.providers.groq_provider import GroqProvider

        return GroqProvider(
            api_key=_require(settings.groq_api_key, "groq", "GROQ_API_KEY"),
            model=model,
            http_client=http_client,
            max_retries=SDK_MAX_RETRIES,
        )
    if kind == "gemini":
        from crm.agent.providers.gemini_provider import GeminiProvider

        return GeminiProvider(
            api_key=_require(settings.gemini_api_key, "gemini", "GEMINI_API_KEY"),
            model=model,
            http_client=http_client,
            max_retries=SDK_MAX_RETRIES,
        )
    from crm.agent.providers.openai_provider import OpenAIProvider

    base_url = (settings.openai_base_url or "").strip() or None
    if base_url is None:
        api_key = _require(settings.openai_api_key, "openai", "OPENAI_API_KEY")
    else:
        api_key = (settings.openai_api_key or "").strip() or LOCAL_SERVER_PLACEHOLDER_KEY
    return OpenAIProvider(
        api_key=api_key, model=model, base_url=base_url, http_client=http_client, max_retries=SDK_MAX_RETRIES
    )
