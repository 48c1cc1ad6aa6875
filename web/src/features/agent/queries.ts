import { useQuery } from "@tanstack/react-query";
import { ApiError, detailOf } from "../../api/client";
import type { ConversationDetail, ConversationSummary } from "./types";

export const agentKeys = {
  conversations: ["agent", "conversations"] as const,
  conversation: (id: string) => ["agent", "conversation", id] as const,
};

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, { signal: signal ?? null, headers: { Accept: "application/json" } });
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw new ApiError(response.status, detailOf(body));
  return body as T;
}

export function fetchConversation(id: string, signal?: AbortSignal): Promise<ConversationDetail> {
  return getJson<ConversationDetail>(`/api/agent/conversations/${encodeURIComponent(id)}`, signal);
}

export function useConversations() {
  return useQuery({
    queryKey: agentKeys.conversations,
    queryFn: ({ signal }) => getJson<ConversationSummary[]>("/api/agent/conversations", signal),
  });
}

export function useConversation(id: string | null) {
  return useQuery({
    queryKey: agentKeys.conversation(id ?? ""),
    queryFn: ({ signal }) => fetchConversation(id ?? "", signal),
    enabled: id !== null,
  });
}
