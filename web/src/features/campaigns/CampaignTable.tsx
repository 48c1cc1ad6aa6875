import { Link } from "react-router-dom";
import type { Campaign, CampaignStats } from "../../api/client";
import { StatusPill } from "../../components/StatusPill";
import { formatCount, formatDateTime, formatMoney } from "../../lib/format";
import { channelLabel, formatPercent } from "../../lib/labels";

export function CreatedBy({ by }: { by: string }) {
  return by === "agent" ? (
    <span className="chip chip--agent" title="staged by the copilot">
      ✦ Copilot
    </span>
  ) : (
    <span className="chip">You</span>
  );
}

function engagement(stats: CampaignStats, channel: string): string {
  if (channel === "email") return `${formatPercent(stats.rates.open_rate)} open`;
  if (channel === "sms") return "—";
  return `${formatPercent(stats.rates.read_rate)} read`;
}

export function CampaignTable({ campaigns, stats }: { campaigns: Campaign[]; stats: Map<number, CampaignStats> }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="campaign-table">
        <thead>
          <tr>
            <th>Campaign</th>
            <th>Status</th>
            <th>Channel</th>
            <th className="num">Audience</th>
            <th>Created by</th>
            <th className="num">Sent</th>
            <th className="num">Delivered</th>
            <th className="num">Engaged</th>
            <th className="num">Converted</th>
            <th className="num">Revenue</th>
          </tr>
        </thead>
        <tbody>
          {campaigns.map((campaign) => {
            const s = stats.get(campaign.id);
            return (
              <tr key={campaign.id}>
                <td className="cell-wrap">
                  <Link to={`/campaigns/${campaign.id}`} className="cell-title">
                    {campaign.name}
                  </Link>
                  <span className="cell-sub">
                    {campaign.launched_at ? `Launched ${formatDateTime(campaign.launched_at)}` : campaign.explanation}
                  </span>
                </td>
                <td>
                  <StatusPill status={campaign.status} />
                </td>
                <td>{channelLabel(campaign.channel)}</td>
                <td className="num">{formatCount(campaign.audience_count)}</td>
                <td>
                  <CreatedBy by={campaign.created_by} />
                </td>
                {s ? (
                  <>
                    <td className="num">{formatCount(s.funnel.sent)}</td>
                    <td className="num">{formatPercent(s.rates.delivery_rate)}</td>
                    <td className="num">{engagement(s, campaign.channel)}</td>
                    <td className="num">{formatPercent(s.rates.conversion_rate)}</td>
                    <td className="num">{formatMoney(s.revenue)}</td>
                  </>
                ) : (
                  <td className="muted" colSpan={5}>
                    {campaign.status === "draft" ? "Not launched yet" : "Loading stats…"}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
