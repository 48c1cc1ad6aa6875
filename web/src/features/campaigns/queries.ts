import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import {
  api,
  type Campaign,
  type CampaignCreate,
  type CampaignStats,
  type CampaignUpdate,
  type ChannelOptionsRequest,
  unwrap,
} from "../../api/client";

export const campaignKeys = {
  all: ["campaigns"] as const,
  list: ["campaigns", "list"] as const,
  detail: (id: number) => ["campaigns", "detail", id] as const,
  preview: (id: number) => ["campaigns", "preview", id] as const,
  stats: (id: number) => ["campaigns", "stats", id] as const,
};

const path = (id: number) => ({ params: { path: { campaign_id: id } } });

export function useCampaigns() {
  return useQuery({
    queryKey: campaignKeys.list,
    queryFn: ({ signal }) => unwrap(api.GET("/api/campaigns", { signal })),
    refetchInterval: 5_000,
  });
}

export function useCampaign(id: number, enabled = true) {
  return useQuery({
    enabled,
    queryKey: campaignKeys.detail(id),
    // No abort signal on purpose: the copilot's draft card and the campaign page share this key, and
    // a fetch cancelled by the card unmounting would leave the page waiting on a reverted query.
    queryFn: () => unwrap(api.GET("/api/campaigns/{campaign_id}", path(id))),
    // A running campaign completes on its own; refresh its header now and then.
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === "running" || status === "scheduled" ? 3_000 : false;
    },
  });
}

export function useCampaignPreview(id: number, enabled = true) {
  return useQuery({
    queryKey: campaignKeys.preview(id),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/campaigns/{campaign_id}/preview", {
          params: { path: { campaign_id: id }, query: { samples: 3 } },
          signal,
        }),
      ),
    enabled,
  });
}

export function useUpdateCampaign(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CampaignUpdate) => unwrap(api.PATCH("/api/campaigns/{campaign_id}", { ...path(id), body })),
    onSuccess: (campaign) => {
      queryClient.setQueryData(campaignKeys.detail(id), campaign);
      void queryClient.invalidateQueries({ queryKey: campaignKeys.preview(id) });
      void queryClient.invalidateQueries({ queryKey: campaignKeys.list });
    },
  });
}

/** Launches now, or at `scheduledAt` (an ISO time with its offset). */
export function useLaunchCampaign() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, scheduledAt }: { id: number; scheduledAt?: string | null }) =>
      unwrap(
        api.POST("/api/campaigns/{campaign_id}/launch", {
          ...path(id),
          body: scheduledAt ? { scheduled_at: scheduledAt } : {},
        }),
      ),
    onSuccess: (campaign) => {
      queryClient.setQueryData(campaignKeys.detail(campaign.id), campaign);
      void queryClient.invalidateQueries({ queryKey: campaignKeys.list });
      void queryClient.invalidateQueries({ queryKey: campaignKeys.stats(campaign.id) });
    },
  });
}

/** Returns a scheduled campaign to draft. */
export function useCancelCampaign() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.POST("/api/campaigns/{campaign_id}/cancel", path(id))),
    onSuccess: (campaign) => {
      queryClient.setQueryData(campaignKeys.detail(campaign.id), campaign);
      void queryClient.invalidateQueries({ queryKey: campaignKeys.list });
      void queryClient.invalidateQueries({ queryKey: campaignKeys.preview(campaign.id) });
    },
  });
}

export function useCreateCampaign() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CampaignCreate) => unwrap(api.POST("/api/campaigns", { body })),
    onSuccess: (campaign) => {
      queryClient.setQueryData(campaignKeys.detail(campaign.id), campaign);
      void queryClient.invalidateQueries({ queryKey: campaignKeys.list });
    },
  });
}

export function useTestSend(id: number) {
  return useMutation({
    mutationFn: (to: string) => unwrap(api.POST("/api/campaigns/{campaign_id}/test-send", { ...path(id), body: { to } })),
  });
}

/** The copilot's channel comparison for an audience (null: no audience chosen yet). */
export function useChannelOptions(audience: ChannelOptionsRequest | null) {
  const key = JSON.stringify(audience);
  return useQuery({
    enabled: audience !== null,
    queryKey: ["campaigns", "channel-options", key],
    queryFn: ({ signal }) =>
      unwrap(api.POST("/api/campaigns/channel-options", { body: audience as ChannelOptionsRequest, signal })),
    staleTime: 30_000,
  });
}

function fetchStats(id: number, signal: AbortSignal) {
  return unwrap(api.GET("/api/campaigns/{campaign_id}/stats", { ...path(id), signal }));
}

export type LiveMode = "connecting" | "live" | "polling" | "off";

/**
 * A campaign's stats, pushed by the SSE stream while `live`; if the stream fails, the same
 * numbers are polled every 2 s instead.
 */
export function useLiveCampaignStats(id: number, live: boolean) {
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<LiveMode>(live ? "connecting" : "off");
  const [prevLive, setPrevLive] = useState(live);
  if (prevLive !== live) {
    setPrevLive(live);
    setMode(live ? "connecting" : "off");
  }

  useEffect(() => {
    if (!live || typeof EventSource === "undefined") {
      if (live) queueMicrotask(() => setMode("polling"));
      return;
    }
    const source = new EventSource(`/api/campaigns/${id}/stats/stream`);
    source.addEventListener("stats", (event) => {
      queryClient.setQueryData(campaignKeys.stats(id), JSON.parse((event as MessageEvent<string>).data) as CampaignStats);
      setMode("live");
    });
    source.onerror = () => {
      source.close();
      setMode("polling");
    };
    return () => source.close();
  }, [id, live, queryClient]);

  const stats = useQuery({
    queryKey: campaignKeys.stats(id),
    queryFn: ({ signal }) => fetchStats(id, signal),
    refetchInterval: mode === "polling" ? 2_000 : false,
  });
  return { stats, mode };
}

/** Stats for each launched campaign in a list (drafts have none worth showing). */
export function useCampaignListStats(campaigns: Campaign[]) {
  const launched = campaigns
    .filter((campaign) => campaign.status !== "draft" && campaign.status !== "scheduled")
    .slice(0, 50);
  const results = useQueries({
    queries: launched.map((campaign) => ({
      queryKey: campaignKeys.stats(campaign.id),
      queryFn: ({ signal }: { signal: AbortSignal }) => fetchStats(campaign.id, signal),
      refetchInterval: campaign.status === "running" ? 4_000 : false,
    })),
  });
  const byId = new Map<number, CampaignStats>();
  launched.forEach((campaign, index) => {
    const data = results[index]?.data;
    if (data) byId.set(campaign.id, data);
  });
  return byId;
}
