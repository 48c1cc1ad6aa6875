import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import type { ChatResponse, ConversationTurn } from "../../api/client";
import { postEventStream } from "../../api/sse";
import { campaignKeys } from "../campaigns/queries";
import { sequenceKeys } from "../sequences/queries";
import { agentKeys, fetchConversation } from "./queries";
import { asToolResult, isObject, parseJson, type ThreadItem } from "./types";

/** A stored conversation as thread items (the same cards the live stream shows). */
export function turnsToItems(turns: ConversationTurn[]): ThreadItem[] {
  return turns.map((turn, index): ThreadItem => {
    const key = `t${index}`;
    if (turn.role === "tool") {
      return {
        kind: "tool",
        key,
        tool: turn.tool ?? "tool",
        arguments: turn.arguments ?? {},
        result: turn.result ?? undefined,
        pending: false,
      };
    }
    return { kind: turn.role, key, text: turn.text ?? "" };
  });
}

function applyEvent(items: ThreadItem[], event: string, data: unknown, nextKey: () => string): ThreadItem[] {
  const payload = isObject(data) ? data : {};
  switch (event) {
    case "token": {
      const text = typeof payload.text === "string" ? payload.text : "";
      const last = items.at(-1);
      if (last?.kind === "assistant") return [...items.slice(0, -1), { ...last, text: last.text + text }];
      return [...items, { kind: "assistant", key: nextKey(), text }];
    }
    case "tool_call":
      return [
        ...items,
        {
          kind: "tool",
          key: typeof payload.id === "string" ? `call-${payload.id}` : nextKey(),
          tool: typeof payload.tool === "string" ? payload.tool : "tool",
          arguments: isObject(payload.arguments) ? payload.arguments : {},
          pending: true,
        },
      ];
    case "tool_result": {
      const key = typeof payload.id === "string" ? `call-${payload.id}` : "";
      const found = items.some((item) => item.kind === "tool" && item.key === key);
      if (found) {
        return items.map((item) =>
          item.kind === "tool" && item.key === key ? { ...item, result: asToolResult(payload.result), pending: false } : item,
        );
      }
      return [
        ...items,
        {
          kind: "tool",
          key: key || nextKey(),
          tool: typeof payload.tool === "string" ? payload.tool : "tool",
          arguments: {},
          result: asToolResult(payload.result),
          pending: false,
        },
      ];
    }
    case "error":
      return [
        ...items,
        { kind: "error", key: nextKey(), text: typeof payload.detail === "string" ? payload.detail : "The copilot failed." },
      ];
    default:
      return items;
  }
}

/**
 * One copilot conversation: the stored turns (when resuming) plus the turn being streamed.
 * `send` streams a message; `onConversation` learns the id of a conversation started here.
 */
export function useCopilotChat(conversationId: string | null, onConversation: (id: string) => void) {
  const queryClient = useQueryClient();
  const [live, setLive] = useState<ThreadItem[]>([]);
  const [streaming, setStreaming] = useState(false);
  const [last, setLast] = useState<ChatResponse | null>(null);
  const abort = useRef<AbortController | null>(null);
  const counter = useRef(0);
  // Set false on unmount: a turn that finishes after the user has left must not touch the URL.
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      abort.current?.abort();
    };
  }, []);

  const reset = useCallback(() => {
    abort.current?.abort();
    setLive([]);
    setLast(null);
    setStreaming(false);
  }, []);

  const settle = useCallback(
    async (id: string | null, done: ChatResponse | null) => {
      const stillHere = () => mounted.current;
      if (done) {
        setLast(done);
        void queryClient.invalidateQueries({ queryKey: agentKeys.conversations });
        void queryClient.invalidateQueries({ queryKey: campaignKeys.all });
        void queryClient.invalidateQueries({ queryKey: sequenceKeys.all });
      }
      if (!id) return;
      // Swap the live turn for the stored one, so the thread is what a reload would show.
      try {
        const stored = await queryClient.query({
          queryKey: agentKeys.conversation(id),
          queryFn: ({ signal }) => fetchConversation(id, signal),
          staleTime: 0,
        });
        if (stillHere() && stored.turns.length > 0) setLive([]);
      } catch {
        // Keep the live turn on screen; the next message still continues this conversation.
      }
      if (stillHere() && id !== conversationId) onConversation(id);
    },
    [conversationId, onConversation, queryClient],
  );

  const send = useCallback(
    async (message: string) => {
      const text = message.trim();
      if (!text || streaming) return;
      const controller = new AbortController();
      abort.current = controller;
      const nextKey = () => {
        counter.current += 1;
        return `l${counter.current}`;
      };
      setStreaming(true);
      setLast(null);
      setLive([{ kind: "user", key: nextKey(), text }]);
      let id = conversationId;
      let done: ChatResponse | null = null;
      try {
        const body = id ? { message: text, conversation_id: id } : { message: text };
        for await (const event of postEventStream("/api/agent/chat/stream", body, controller.signal)) {
          const data = parseJson(event.data);
          if (event.event === "conversation" && isObject(data) && typeof data.conversation_id === "string") {
            id = data.conversation_id;
          } else if (event.event === "done") {
            done = data as ChatResponse;
            id = done.conversation_id;
            const reply = done.reply;
            setLive((items) => {
              const userAt = items.findLastIndex((item) => item.kind === "user");
              const answered = items.slice(userAt + 1).some((item) => item.kind === "assistant" && item.text.trim());
              return answered || !reply ? items : [...items, { kind: "assistant", key: nextKey(), text: reply }];
            });
          } else {
            setLive((items) => applyEvent(items, event.event, data, nextKey));
          }
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        const detail = error instanceof Error ? error.message : String(error);
        setLive((items) => [...items, { kind: "error", key: nextKey(), text: detail }]);
      } finally {
        if (abort.current === controller) abort.current = null;
      }
      // A function, not a narrowed property read: it changes across the awaits below.
      const stillHere = () => mounted.current;
      // `reset()` already cleared `streaming` for an aborted turn. Otherwise the turn stays
      // "streaming" (its cards' buttons disabled) until the stored turn and the URL are in place, so
      // a click on a card (Edit, Launch) can never race the conversation id being written to the URL.
      const aborted = () => controller.signal.aborted;
      if (aborted() || !stillHere()) return;
      try {
        await settle(id, done);
      } finally {
        if (stillHere() && !aborted()) setStreaming(false);
      }
    },
    [conversationId, settle, streaming],
  );

  return { live, streaming, last, send, reset };
}
