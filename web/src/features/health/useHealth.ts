import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";

export function useHealth() {
  return useQuery({
    queryKey: ["health"],
    queryFn: ({ signal }) => unwrap(api.GET("/api/health", { signal })),
    refetchInterval: 30_000,
  });
}
