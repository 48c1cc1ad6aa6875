import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, api, unwrap } from "../../api/client";

const statusKey = ["delivery", "status"] as const;

export function isMissingEndpoint(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

export function useDeliveryStatus() {
  return useQuery({
    queryKey: statusKey,
    queryFn: ({ signal }) => unwrap(api.GET("/api/delivery/status", { signal })),
    // Live counters; stop polling when this CRM build has no such endpoint.
    refetchInterval: (query) => (isMissingEndpoint(query.state.error) ? false : 3_000),
  });
}

export function useRedriveDeadLetters() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/delivery/dead-letters/redrive")),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: statusKey }),
  });
}
