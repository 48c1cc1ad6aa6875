from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict

from sqlalchemy.ext.asyncio import AsyncSession

from crm.agent import repository as repo
from crm.agent.loop import AgentEvent, AgentLoop, AssistantEvent, DoneEvent, ToolResultEvent
from crm.agent.providers.base import Provider, UserMessage
from crm.agent.schemas import (
    ChatResponse,
    ConversationDetail,
    ConversationEntry,
    ConversationSummary,
    ToolStep,
    TurnFailure,
)
from crm.agent.tool_results import as_tool_result
from crm.agent.tools import ToolContext
from crm.errors import NotFound
from crm.models import Conversation


class AgentService:
    def __init__(self, session: AsyncSession, provider: Provider, operator: str = "operator") -> None:
        self.session = session
        self.provider = provider
        self.operator = operator  # who is asking; recorded as `asked_by` on anything the copilot drafts

    async def turn(self, text: str, conversation_id: str | None) -> AsyncIterator[tuple[str, AgentEvent]]:
        """Runs one turn, persisting each message as it happens; yields (conversation id, event).

        Each stored message and each tool call is its own short transaction, committed before
        the next model call: a slow model never holds a transaction or a lock, so ingest and the
        dispatcher run while it thinks."""
        if conversation_id is not None:
            conversation = await repo.get_conversation(self.session, conversation_id)
            if conversation is None:
                raise NotFound(f"conversation {conversation_id} not found")
        else:
            conversation = Conversation(
                id=str(uuid.uuid4()), title=text[:120], provider=self.provider.name, model=self.provider.model
            )
            self.session.add(conversation)
            await self.session.flush()
        history = [repo.as_message(m) for m in await repo.messages_of(self.session, conversation.id)]
        seq, turn = await repo.next_position(self.session, conversation.id)
        writer = repo.ConversationWriter(self.session, conversation, seq, turn)
        await writer.add(role="user", text=text)
        # Unit of work per stored message: the user's message is committed before the model is
        # called, so no transaction (on SQLite: no write lock) is open while a model thinks.
        await self.session.commit()
        history.append(UserMessage(text))
        async for event in AgentLoop(self.provider).run(ToolContext(self.session, self.operator), history):
            if isinstance(event, AssistantEvent):
                await writer.add(
                    role="assistant",
                    text=event.message.text,
                    tool_calls=[asdict(c) for c in event.message.tool_calls] or None,
                    native=event.message.native,
                )
            elif isinstance(event, ToolResultEvent):
                await writer.add(role="tool", tool_call_id=event.call_id, tool_name=event.tool, result=event.result)
            if isinstance(event, AssistantEvent | ToolResultEvent):
                # Each step is saved as it happens: a staged draft exists (and can be approved)
                # the moment its tool result is streamed, and no lock is held across model calls.
                await self.session.commit()
            yield conversation.id, event

    async def chat(self, text: str, conversation_id: str | None) -> ChatResponse:
        steps: list[ToolStep] = []
        done: DoneEvent | None = None
        conversation = conversation_id or ""
        async for current_id, event in self.turn(text, conversation_id):
            conversation = current_id
            if isinstance(event, ToolResultEvent):
                steps.append(tool_step(event))
            elif isinstance(event, DoneEvent):
                done = event
        assert done is not None
        return self.response(conversation, done, steps)

    def response(self, conversation_id: str, done: DoneEvent, steps: list[ToolStep]) -> ChatResponse:
        return ChatResponse(
            conversation_id=conversation_id,
            reply=done.reply,
            steps=steps,
            staged_campaign_id=done.staged_campaign_ids[-1] if done.staged_campaign_ids else None,
            staged_campaign_ids=done.staged_campaign_ids,
            staged_sequence_id=done.staged_sequence_ids[-1] if done.staged_sequence_ids else None,
            provider=self.provider.name,
            stopped=done.stopped,
            failure=TurnFailure(kind=done.failure.kind, message=done.failure.message) if done.failure else None,
        )

    async def conversations(self) -> list[ConversationSummary]:
        return [
            ConversationSummary(
                id=c.id, title=c.title, provider=c.provider, created_at=c.created_at, updated_at=c.updated_at
            )
            for c in await repo.list_conversations(self.session)
        ]

    async def conversation(self, conversation_id: str) -> ConversationDetail:
        conversation = await repo.get_conversation(self.session, conversation_id)
        if conversation is None:
            raise NotFound(f"conversation {conversation_id} not found")
        entries: list[ConversationEntry] = []
        calls: dict[str, dict[str, object]] = {}
        for m in await repo.messages_of(self.session, conversation_id):
            if m.role == "assistant":
                for call in m.tool_calls or []:
                    calls[call["id"]] = call["arguments"]
                if m.text:
                    entries.append(ConversationEntry(role="assistant", text=m.text, created_at=m.created_at))
            elif m.role == "tool":
                entries.append(
                    ConversationEntry(
                        role="tool",
                        tool=m.tool_name,
                        arguments=calls.get(m.tool_call_id or "", {}),
                        result=as_tool_result(m.tool_name, m.result),
                        created_at=m.created_at,
                    )
                )
            else:
                entries.append(ConversationEntry(role="user", text=m.text, created_at=m.created_at))
        return ConversationDetail(
            id=conversation.id,
            title=conversation.title,
            provider=conversation.provider,
            created_at=conversation.created_at,
            updated_at=conversation.updated_at,
            turns=entries,
        )


def tool_step(event: ToolResultEvent) -> ToolStep:
    return ToolStep.model_validate(
        {"tool": event.tool, "arguments": event.arguments, "result": as_tool_result(event.tool, event.result)}
    )
