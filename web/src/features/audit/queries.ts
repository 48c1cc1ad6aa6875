import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";

export type AuditEntityType = "campaign" | "sequence";

export const auditKeys = {
  all: ["audit"] as const,
  list: (entityType?: AuditEntityType, entityId?: number) => ["audit", entityType ?? "all", entityId ?? 0] as const,
};

/** Newest first. Every successful mutation invalidates ["audit"] (see main.tsx). */
export function useAudit(entityType?: AuditEntityType, entityId?: number, limit = 100) {
  return useQuery({
    queryKey: [...auditKeys.list(entityType, entityId), limit],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/audit", {
          params: { query: { entity_type: entityType ?? null, entity_id: entityId ?? null, limit } },
          signal,
        }),
      ),
  });
}
