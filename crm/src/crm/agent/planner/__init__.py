"""The offline planner's language understanding and copywriting: a marketer's goal in English →
a validated audience filter, an intent, a channel and a drafted, on-brand message — deterministic,
no model, no network."""

from crm.agent.planner.copy import draft_copy
from crm.agent.planner.types import INTENTS, DraftCopy, Intent, Understanding, Vocabulary
from crm.agent.planner.understand import understand

__all__ = ["INTENTS", "DraftCopy", "Intent", "Understanding", "Vocabulary", "draft_copy", "understand"]
