import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import { campaignKeys } from "../campaigns/queries";

/** Winner mode: decide now instead of at the campaign's decide_at. */
export function useDecideWinner() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.POST("/api/campaigns/{campaign_id}/decide-winner", { params: { path: { campaign_id: id } } })),
    onSuccess: (campaign) => {
      queryClient.setQueryData(campaignKeys.detail(campaign.id), campaign);
      void queryClient.invalidateQueries({ queryKey: campaignKeys.stats(campaign.id) });
      void queryClient.invalidateQueries({ queryKey: ["audit"] });
    },
  });
}
