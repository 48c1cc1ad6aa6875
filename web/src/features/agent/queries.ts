import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";

export const agentKeys = {
  conversations: ["agent", "conversations"] as const,
  conversation: (id: string) => ["agent", "conversation", id] as const,
};

export function fetchConversation(id: string, signal?: AbortSignal) {
  return unwrap(
    api.GET("/api/agent/conversations/{conversation_id}", {
      params: { path: { conversation_id: id } },
      signal: signal ?? null,
    }),
  );
}

export function useConversations() {
  return useQuery({
    queryKey: agentKeys.conversations,
    queryFn: ({ signal }) => unwrap(api.GET("/api/agent/conversations", { signal })),
  });
}

export function useConversation(id: string | null) {
  return useQuery({
    queryKey: agentKeys.conversation(id ?? ""),
    queryFn: ({ signal }) => fetchConversation(id ?? "", signal),
    enabled: id !== null,
  });
}
