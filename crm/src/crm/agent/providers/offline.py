"""The offline provider: the planner in `crm.agent.planner` behind the provider interface. No key,
no network, deterministic; everything it knows lives in the planner package."""

from crm.agent.planner.planner import OfflinePlanner

__all__ = ["OfflinePlanner"]
