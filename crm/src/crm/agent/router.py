from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from crm.agent.loop import DoneEvent, TokenEvent, ToolCallEvent, ToolResultEvent
from crm.agent.providers.base import Provider
from crm.agent.schemas import ChatRequest, ChatResponse, ConversationDetail, ConversationSummary, ToolStep
from crm.agent.service import AgentService, tool_step
from crm.auth.dependencies import actor
from crm.db import SessionDep
from crm.http_guards import RateLimit

router = APIRouter(prefix="/api/agent", tags=["agent"])
chat_limit = RateLimit("30/minute", "the copilot")


def provider_of(request: Request) -> Provider:
    provider: Provider = request.app.state.agent_provider
    return provider


@router.post("/chat", response_model=ChatResponse, dependencies=[Depends(chat_limit)])
async def chat(payload: ChatRequest, request: Request, session: SessionDep) -> ChatResponse:
    """One copilot turn. The copilot can stage drafts; it can never launch them."""
    service = AgentService(session, provider_of(request), actor(request))
    return await service.chat(payload.message, payload.conversation_id)


@router.post("/chat/stream", response_class=EventSourceResponse, dependencies=[Depends(chat_limit)])
async def chat_stream(payload: ChatRequest, request: Request) -> AsyncIterator[ServerSentEvent]:
    """The same turn as server-sent events: `conversation`, `token`, `tool_call`, `tool_result`, `done`
    (or `error`)."""
    maker = request.app.state.sessionmaker
    async with maker() as session:
        service = AgentService(session, provider_of(request), actor(request))
        steps: list[ToolStep] = []
        announced = False
        try:
            async for conversation_id, event in service.turn(payload.message, payload.conversation_id):
                if not announced:
                    announced = True
                    yield ServerSentEvent(event="conversation", data={"conversation_id": conversation_id})
                if isinstance(event, TokenEvent):
                    yield ServerSentEvent(event="token", data={"text": event.text})
                elif isinstance(event, ToolCallEvent):
                    yield ServerSentEvent(
                        event="tool_call", data={"id": event.call_id, "tool": event.tool, "arguments": event.arguments}
                    )
                elif isinstance(event, ToolResultEvent):
                    steps.append(tool_step(event))
                    yield ServerSentEvent(
                        event="tool_result", data={"id": event.call_id, "tool": event.tool, "result": event.result}
                    )
                elif isinstance(event, DoneEvent):
                    await session.commit()
                    done = service.response(conversation_id, event, steps)
                    yield ServerSentEvent(event="done", data=done.model_dump(mode="json"))
        except Exception as exc:
            await session.rollback()
            detail = getattr(exc, "detail", None) or "the copilot failed; nothing was changed"
            yield ServerSentEvent(event="error", data={"detail": detail})


@router.get("/conversations", response_model=list[ConversationSummary])
async def list_conversations(request: Request, session: SessionDep) -> list[ConversationSummary]:
    return await AgentService(session, provider_of(request)).conversations()


@router.get("/conversations/{conversation_id}", response_model=ConversationDetail)
async def get_conversation(conversation_id: str, request: Request, session: SessionDep) -> ConversationDetail:
    return await AgentService(session, provider_of(request)).conversation(conversation_id)
