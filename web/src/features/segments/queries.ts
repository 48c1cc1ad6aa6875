import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type SegmentFilter, unwrap } from "../../api/client";

export const segmentKeys = {
  all: ["segments"] as const,
  list: ["segments", "list"] as const,
  detail: (id: number) => ["segments", "detail", id] as const,
  fields: ["segments", "fields"] as const,
  preview: (filter: SegmentFilter, sampleSize: number) =>
    ["segments", "preview", JSON.stringify(filter), sampleSize] as const,
};

export function useSegments() {
  return useQuery({
    queryKey: segmentKeys.list,
    queryFn: ({ signal }) => unwrap(api.GET("/api/segments", { signal })),
  });
}

export function useSegment(id: number) {
  return useQuery({
    queryKey: segmentKeys.detail(id),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/segments/{segment_id}", { params: { path: { segment_id: id } }, signal })),
  });
}

export function useSegmentFields() {
  return useQuery({
    queryKey: segmentKeys.fields,
    queryFn: ({ signal }) => unwrap(api.GET("/api/segments/fields", { signal })),
    staleTime: 60_000,
  });
}

/** Count, explanation and a sample for a filter; `null` while there is nothing to ask about. */
export function useAudiencePreview(filter: SegmentFilter | null, sampleSize = 10) {
  return useQuery({
    queryKey: filter ? segmentKeys.preview(filter, sampleSize) : ["segments", "preview", null],
    queryFn: ({ signal }) =>
      unwrap(
        api.POST("/api/segments/preview", {
          body: { filter: filter ?? { match: "all" }, sample_size: sampleSize },
          signal,
        }),
      ),
    enabled: filter !== null,
    placeholderData: keepPreviousData,
  });
}

export function useCreateSegment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; filter: SegmentFilter }) =>
      unwrap(api.POST("/api/segments", { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: segmentKeys.list }),
  });
}

export function useDeleteSegment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.DELETE("/api/segments/{segment_id}", { params: { path: { segment_id: id } } })),
    onSuccess: (_, id) => {
      queryClient.removeQueries({ queryKey: segmentKeys.detail(id) });
      return queryClient.invalidateQueries({ queryKey: segmentKeys.list });
    },
  });
}
