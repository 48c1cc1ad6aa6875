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

/** Count, explanation and a sample for a filter. */
export function useAudiencePreview(filter: SegmentFilter, sampleSize = 10) {
  return useQuery({
    queryKey: segmentKeys.preview(filter, sampleSize),
    queryFn: ({ signal }) =>
      unwrap(api.POST("/api/segments/preview", { body: { filter, sample_size: sampleSize }, signal })),
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
