import type { Campaign, CampaignStats } from "../../api/client";
import { StatCard } from "../../components/StatCard";
import { EmptyState } from "../../components/States";
import { formatCount, formatMoney } from "../../lib/format";
import { formatPercent } from "../../lib/labels";
import { FunnelChart, TimelineChart } from "./charts";
import type { LiveMode } from "./queries";

const MODE_LABELS: Record<LiveMode, string> = {
  connecting: "connecting…",
  live: "live (streaming)",
  polling: "live (polling every 2 s)",
  off: "",
};

export function LiveBadge({ mode }: { mode: LiveMode }) {
  if (mode === "off") return null;
  return (
    <span className={mode === "connecting" ? "badge" : "badge badge--ok"} data-testid="live-mode">
      <span className="dot dot--pulse" aria-hidden="true" /> {MODE_LABELS[mode]}
    </span>
  );
}

function Count({ stage, value }: { stage: string; value: number }) {
  return <span data-testid={`funnel-${stage}`}>{formatCount(value)}</span>;
}

export function CampaignLiveStats({ campaign, stats }: { campaign: Campaign; stats: CampaignStats }) {
  const { funnel, rates, queue } = stats;
  const engagedLabel = campaign.channel === "email" ? "Opened" : "Read";
  const engaged = campaign.channel === "email" ? funnel.opened : funnel.read;
  const engagedRate = campaign.channel === "email" ? rates.open_rate : rates.read_rate;
  const failures = Object.entries(stats.failure_reasons).sort((a, b) => b[1] - a[1]);
  const suppressed = campaign.suppressed ?? { no_consent: stats.suppressed.no_consent ?? 0, no_contact: stats.suppressed.no_contact ?? 0 };
  return (
    <>
      <div className="stat-grid" data-testid="campaign-funnel">
        <StatCard label="Audience" value={formatCount(stats.audience)} />
        <StatCard label="Sent" value={<Count stage="sent" value={funnel.sent} />} />
        <StatCard
          label="Delivered"
          value={<Count stage="delivered" value={funnel.delivered} />}
          hint={`${formatPercent(rates.delivery_rate)} of sent`}
        />
        {campaign.channel === "sms" ? null : (
          <StatCard
            label={engagedLabel}
            value={<Count stage={engagedLabel.toLowerCase()} value={engaged} />}
            hint={`${formatPercent(engagedRate)} of delivered`}
          />
        )}
        <StatCard
          label="Clicked"
          value={<Count stage="clicked" value={funnel.clicked} />}
          hint={`${formatPercent(rates.click_rate)} of delivered`}
        />
        <StatCard
          label="Converted"
          value={<Count stage="converted" value={funnel.converted} />}
          hint={`${formatPercent(rates.conversion_rate)} of delivered`}
        />
        <StatCard
          label="Attributed revenue"
          value={<span data-testid="revenue">{formatMoney(stats.revenue)}</span>}
          hint={`${formatMoney(stats.revenue_per_message)} per message`}
        />
        <StatCard label="Failed" value={<Count stage="failed" value={funnel.failed} />} />
      </div>
      <div className="two-col">
        <section className="card">
          <h2 className="card__title">Funnel</h2>
          <FunnelChart funnel={funnel} />
        </section>
        <section className="card">
          <h2 className="card__title">Receipts over time</h2>
          {stats.timeseries.length === 0 ? (
            <EmptyState title="No receipts yet">
              <p>Receipts from the channel service appear here as they land.</p>
            </EmptyState>
          ) : (
            <TimelineChart stats={stats} />
          )}
          <span className="muted">Running totals: messages reaching each stage, by when they first reached it, in {formatCount(stats.bucket_seconds)}-second buckets.</span>
        </section>
      </div>
      <div className="three-col">
        <section className="card">
          <h2 className="card__title">Send queue</h2>
          <dl className="facts" data-testid="queue">
            <dt>Queued</dt>
            <dd>{formatCount(queue.queued)}</dd>
            <dt>Being sent</dt>
            <dd>{formatCount(queue.claimed)}</dd>
            <dt>Handed to the channel</dt>
            <dd>{formatCount(queue.dispatched)}</dd>
            <dt>Failed to dispatch</dt>
            <dd>{formatCount(queue.failed)}</dd>
          </dl>
        </section>
        <section className="card">
          <h2 className="card__title">Not sent (suppressed)</h2>
          <dl className="facts" data-testid="suppressed">
            <dt>No consent for {campaign.channel === "sms" ? "SMS" : campaign.channel}</dt>
            <dd>{formatCount(suppressed.no_consent)}</dd>
            <dt>No contact details</dt>
            <dd>{formatCount(suppressed.no_contact)}</dd>
          </dl>
        </section>
        <section className="card">
          <h2 className="card__title">Failure reasons</h2>
          {failures.length === 0 ? (
            <p className="muted">No failures.</p>
          ) : (
            <dl className="facts">
              {failures.map(([reason, n]) => (
                <FailureRow key={reason} reason={reason} count={n} />
              ))}
            </dl>
          )}
        </section>
      </div>
    </>
  );
}

function FailureRow({ reason, count }: { reason: string; count: number }) {
  return (
    <>
      <dt>{reason}</dt>
      <dd>{formatCount(count)}</dd>
    </>
  );
}
