import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type SequenceStep, unwrap } from "../../api/client";

export const sequenceKeys = {
  all: ["sequences"] as const,
  list: ["sequences", "list"] as const,
  detail: (id: number) => ["sequences", "detail", id] as const,
  versions: (id: number) => ["sequences", "versions", id] as const,
  diff: (id: number, from: number, to: number) => ["sequences", "diff", id, from, to] as const,
  stats: (id: number) => ["sequences", "stats", id] as const,
};

const path = (id: number) => ({ params: { path: { sequence_id: id } } });

export function useSequences() {
  return useQuery({
    queryKey: sequenceKeys.list,
    queryFn: ({ signal }) => unwrap(api.GET("/api/sequences", { signal })),
  });
}

export function useSequence(id: number, enabled = true) {
  return useQuery({
    enabled,
    queryKey: sequenceKeys.detail(id),
    // No abort signal, for the same reason as useCampaign (the copilot's card shares this key).
    queryFn: () => unwrap(api.GET("/api/sequences/{sequence_id}", path(id))),
  });
}

export function useSequenceVersions(id: number) {
  return useQuery({
    queryKey: sequenceKeys.versions(id),
    queryFn: ({ signal }) => unwrap(api.GET("/api/sequences/{sequence_id}/versions", { ...path(id), signal })),
  });
}

export function useSequenceDiff(id: number, from: number, to: number) {
  return useQuery({
    queryKey: sequenceKeys.diff(id, from, to),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/sequences/{sequence_id}/diff", {
          params: { path: { sequence_id: id }, query: { from, to } },
          signal,
        }),
      ),
    enabled: from > 0 && to > 0 && from !== to,
  });
}

/** Per-step counts; refreshed every 2 s while the sequence is live. */
export function useSequenceStats(id: number, live: boolean) {
  return useQuery({
    queryKey: sequenceKeys.stats(id),
    queryFn: ({ signal }) => unwrap(api.GET("/api/sequences/{sequence_id}/stats", { ...path(id), signal })),
    refetchInterval: live ? 2_000 : false,
  });
}

function useSequenceMutation<T, R>(run: (value: T) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sequenceKeys.all }),
  });
}

export function useSaveSteps(id: number) {
  return useSequenceMutation((steps: SequenceStep[]) =>
    unwrap(api.PATCH("/api/sequences/{sequence_id}", { ...path(id), body: { steps, edited_by: "operator" } })),
  );
}

export function useRollback(id: number) {
  return useSequenceMutation((version: number) =>
    unwrap(api.POST("/api/sequences/{sequence_id}/rollback", { ...path(id), body: { version, edited_by: "operator" } })),
  );
}

export function useLaunchSequence() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.POST("/api/sequences/{sequence_id}/launch", { ...path(id), body: { launched_by: "operator" } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sequenceKeys.all }),
  });
}
