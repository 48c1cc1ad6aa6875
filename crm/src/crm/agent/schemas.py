from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, StringConstraints

from crm.agent.providers.base import FailureKind
from crm.agent.tool_results import ToolResult


class ChatRequest(BaseModel):
    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    conversation_id: Annotated[str, StringConstraints(max_length=36)] | None = None


class ToolStep(BaseModel):
    tool: str
    arguments: dict[str, Any]
    result: ToolResult


class TurnFailure(BaseModel):
    """Why the model could not finish the turn (`stopped` is "provider_error" or "time_budget")."""

    kind: FailureKind
    message: str


class ChatResponse(BaseModel):
    conversation_id: str
    reply: str
    steps: list[ToolStep]
    staged_campaign_id: int | None = None
    staged_campaign_ids: list[int] = []
    staged_sequence_id: int | None = None
    provider: str
    stopped: Literal["answered", "max_steps", "time_budget", "provider_error"]
    failure: TurnFailure | None = None


class ConversationSummary(BaseModel):
    id: str
    title: str
    provider: str
    created_at: datetime
    updated_at: datetime


class ConversationEntry(BaseModel):
    role: Literal["user", "assistant", "tool"]
    text: str | None = None
    tool: str | None = None
    arguments: dict[str, Any] | None = None
    result: ToolResult | None = None
    created_at: datetime


class ConversationDetail(ConversationSummary):
    turns: list[ConversationEntry]
