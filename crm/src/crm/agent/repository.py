"""SQL for conversations: every message stored in order so a conversation can be replayed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.agent.providers.base import AssistantMessage, Message, ToolCall, ToolResultMessage, UserMessage
from crm.db import utcnow
from crm.models import Conversation, ConversationMessage


async def get_conversation(session: AsyncSession, conversation_id: str) -> Conversation | None:
    return await session.get(Conversation, conversation_id)


async def list_conversations(session: AsyncSession, limit: int = 100) -> Sequence[Conversation]:
    return (await session.scalars(select(Conversation).order_by(Conversation.updated_at.desc()).limit(limit))).all()


async def messages_of(session: AsyncSession, conversation_id: str) -> Sequence[ConversationMessage]:
    return (
        await session.scalars(
            select(ConversationMessage)
            .where(ConversationMessage.conversation_id == conversation_id)
            .order_by(ConversationMessage.seq)
        )
    ).all()


async def next_position(session: AsyncSession, conversation_id: str) -> tuple[int, int]:
    """(next seq, next turn number)."""
    row = (
        await session.execute(
            select(func.max(ConversationMessage.seq), func.max(ConversationMessage.turn)).where(
                ConversationMessage.conversation_id == conversation_id
            )
        )
    ).one()
    return (int(row[0]) + 1 if row[0] is not None else 0, int(row[1]) + 1 if row[1] is not None else 0)


def as_message(row: ConversationMessage) -> Message:
    if row.role == "user":
        return UserMessage(row.text or "")
    if row.role == "assistant":
        calls = tuple(ToolCall(c["id"], c["name"], c["arguments"]) for c in row.tool_calls or [])
        return AssistantMessage(row.text or "", calls, row.native)
    return ToolResultMessage(row.tool_call_id or "", row.tool_name or "", row.result)


class ConversationWriter:
    """Appends messages to one conversation, numbering them. The conversation's `updated_at` is
    set once, when the turn starts: one UPDATE per turn instead of one per message."""

    def __init__(self, session: AsyncSession, conversation: Conversation, seq: int, turn: int) -> None:
        self.session = session
        self.conversation = conversation
        self.seq = seq
        self.first_seq = seq
        self.turn = turn

    async def add(self, **values: Any) -> None:
        self.session.add(
            ConversationMessage(conversation_id=self.conversation.id, seq=self.seq, turn=self.turn, **values)
        )
        if self.seq == self.first_seq:
            self.conversation.updated_at = utcnow()
        self.seq += 1
        await self.session.flush()
