import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";

export const PAGE_SIZE = 25;

export const customerKeys = {
  all: ["customers"] as const,
  page: (q: string, cursor: string | undefined) => ["customers", "page", q, cursor ?? null] as const,
  profile: (id: number) => ["customers", "profile", id] as const,
  messages: (id: number) => ["customers", "messages", id] as const,
};

export function useCustomerPage(q: string, cursor: string | undefined) {
  return useQuery({
    queryKey: customerKeys.page(q, cursor),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/customers", {
          params: { query: { q: q || undefined, cursor, limit: PAGE_SIZE } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useCustomer(id: number) {
  return useQuery({
    queryKey: customerKeys.profile(id),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/customers/{customer_id}", { params: { path: { customer_id: id } }, signal })),
  });
}

/** The customer's messages, newest first, each with the furthest lifecycle stage it reached. */
export function useCustomerMessages(id: number) {
  return useQuery({
    queryKey: customerKeys.messages(id),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/customers/{customer_id}/communications", {
          params: { path: { customer_id: id }, query: { limit: 100 } },
          signal,
        }),
      ),
    // Receipts keep landing after a launch; the history follows them.
    refetchInterval: 5_000,
  });
}
