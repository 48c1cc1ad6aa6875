"""Which model provider the copilot uses: LLM_PROVIDER, with the offline planner as the
default and as the fallback when a chosen provider is not configured (with a clear warning)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from crm.agent.providers.base import Provider
from crm.agent.providers.offline import OfflinePlanner
from crm.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProviderChoice:
    provider: Provider
    warning: str | None = None


def choose_provider(settings: Settings) -> ProviderChoice:
    if settings.llm_provider == "offline":
        return ProviderChoice(OfflinePlanner())
    # Imported here so the SDKs load only when a hosted model is configured.
    from crm.agent.providers.factory import ProviderConfigError, build_provider

    try:
        return ProviderChoice(build_provider(settings))
    except ProviderConfigError as exc:
        warning = f"{exc} — the copilot is using the offline planner until that is set"
        log.warning(warning)
        return ProviderChoice(OfflinePlanner(), warning)
