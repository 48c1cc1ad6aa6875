import type { Campaign, CampaignStats } from "../../api/client";
import { StatCard } from "../../components/StatCard";
import { ErrorState } from "../../components/States";
import { formatCount, formatDateTime, formatMoney } from "../../lib/format";
import { useDecideWinner } from "./queries";

type Variant = NonNullable<CampaignStats["variants"]>[number];
type Lift = NonNullable<CampaignStats["lift"]>;

const percent = (value: number, digits = 1) => `${(value * 100).toFixed(digits)}%`;
const signedPoints = (value: number) => `${value >= 0 ? "+" : "−"}${Math.abs(value * 100).toFixed(2)} pts`;
const signedMoney = (value: number) => `${value >= 0 ? "+" : "−"}${formatMoney(Math.abs(value))}`;
const rate = (part: number, whole: number) => (whole ? part / whole : 0);

/** An experiment's results on the campaign page: the arms, the holdout and the lift with its interval. */
export function ExperimentPanel({ campaign, stats }: { campaign: Campaign; stats: CampaignStats }) {
  const variants = stats.variants ?? null;
  const showHoldout = stats.holdout != null && stats.messaged != null;
  if (!variants && !showHoldout) return null;
  return (
    <section className="card experiment" data-testid="experiment">
      <h2 className="card__title">Experiment</h2>
      <p className="muted">
        {variants ? `${variants.length} variants, a stable random split by customer` : "One message"}
        {campaign.holdout_percent ? ` · ${campaign.holdout_percent}% holdout, never messaged` : ""}
        {campaign.winner ? ` · winner mode on ${campaign.winner.metric.replace(/_/g, " ")}` : ""}
      </p>
      {campaign.winner ? <WinnerStatus campaign={campaign} /> : null}
      {campaign.variants ? (
        <ul className="experiment__messages" data-testid="variant-messages">
          {campaign.variants.map((variant) => (
            <li key={variant.name}>
              <strong>{variant.name}</strong>
              {variant.message.subject ? ` · ${variant.message.subject}` : ""} — {variant.message.body}
            </li>
          ))}
        </ul>
      ) : null}
      {variants ? <VariantTable variants={variants} /> : null}
      {showHoldout && stats.holdout && stats.messaged ? (
        <HoldoutComparison holdout={stats.holdout} messaged={stats.messaged} lift={stats.lift ?? null} />
      ) : null}
      {stats.order_attribution ? (
        <p className="muted" data-testid="attribution-note">
          Conversions two ways: provider receipts ({formatCount(stats.funnel.converted)} converted,{" "}
          {formatMoney(stats.revenue)}) and {stats.order_attribution.label} of{" "}
          {stats.order_attribution.window_days} days ({formatCount(stats.order_attribution.orders)} orders,{" "}
          {formatMoney(stats.order_attribution.revenue)}).
        </p>
      ) : null}
    </section>
  );
}

function WinnerStatus({ campaign }: { campaign: Campaign }) {
  const decide = useDecideWinner();
  const winner = campaign.winner;
  if (!winner) return null;
  return (
    <div className="notice experiment__winner" data-testid="winner-status">
      {winner.decided_at ? (
        <span>
          Winner: <strong>{winner.winner}</strong>, decided {formatDateTime(winner.decided_at)} by the Bayesian
          probability of being best; the rest of the audience got only this variant.
        </span>
      ) : (
        <span>
          Testing on {winner.test_percent}% of the audience; the winner is picked
          {winner.decide_at ? ` at ${formatDateTime(winner.decide_at)}` : " after launch"} and the rest get only it.{" "}
          {campaign.status !== "draft" && campaign.status !== "scheduled" ? (
            <button
              type="button"
              className="button"
              disabled={decide.isPending}
              onClick={() => decide.mutate(campaign.id)}
            >
              {decide.isPending ? "Deciding…" : "Decide now"}
            </button>
          ) : null}
        </span>
      )}
      {decide.isError ? <ErrorState error={decide.error} title="Could not decide" /> : null}
    </div>
  );
}

function VariantTable({ variants }: { variants: Variant[] }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="variant-table">
        <thead>
          <tr>
            <th>Variant</th>
            <th className="num">Recipients</th>
            <th className="num">Delivered</th>
            <th className="num">Clicked</th>
            <th className="num" title="provider converted receipts">Converted (receipts)</th>
            <th className="num">Revenue (receipts)</th>
            <th className="num">Revenue / recipient</th>
            <th className="num" title="orders attributed to this variant's messages">Attributed orders</th>
            <th className="num">Attributed revenue</th>
          </tr>
        </thead>
        <tbody>
          {variants.map((variant) => (
            <tr key={variant.name} data-testid={`variant-${variant.name}`}>
              <td>
                <strong>{variant.name}</strong>
                {variant.winner ? <span className="badge badge--ok experiment__badge">winner</span> : null}
              </td>
              <td className="num">{formatCount(variant.recipients)}</td>
              <td className="num">{formatCount(variant.funnel.delivered)}</td>
              <td className="num">
                {formatCount(variant.funnel.clicked)}{" "}
                <span className="muted">({percent(rate(variant.funnel.clicked, variant.funnel.delivered))})</span>
              </td>
              <td className="num">{formatCount(variant.funnel.converted)}</td>
              <td className="num">{formatMoney(variant.revenue)}</td>
              <td className="num">{formatMoney(variant.revenue_per_recipient)}</td>
              <td className="num">{formatCount(variant.attributed_orders)}</td>
              <td className="num">{formatMoney(variant.attributed_revenue)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type Group = NonNullable<CampaignStats["holdout"]>;

function HoldoutComparison({ holdout, messaged, lift }: { holdout: Group; messaged: Group; lift: Lift | null }) {
  return (
    <div data-testid="holdout">
      <h3 className="subhead">Messaged vs holdout (orders within the window after launch)</h3>
      <div className="stat-grid">
        <StatCard
          label="Messaged"
          value={percent(messaged.conversion_rate, 2)}
          hint={`${formatCount(messaged.converted)} of ${formatCount(messaged.customers)} ordered · ${formatMoney(messaged.revenue_per_customer)} per customer`}
        />
        <StatCard
          label="Holdout"
          value={percent(holdout.conversion_rate, 2)}
          hint={`${formatCount(holdout.converted)} of ${formatCount(holdout.customers)} ordered · ${formatMoney(holdout.revenue_per_customer)} per customer`}
        />
        {lift ? (
          <>
            <StatCard
              label="Lift in conversion"
              value={<span data-testid="lift-conversion">{signedPoints(lift.conversion_rate)}</span>}
              hint={
                <span data-testid="lift-ci">
                  95% CI{" "}
                  {lift.ci95 ? `${signedPoints(lift.ci95[0] ?? 0)} to ${signedPoints(lift.ci95[1] ?? 0)}` : "not yet computable"}
                </span>
              }
            />
            <StatCard
              label="Incremental revenue"
              value={signedMoney(lift.incremental_revenue)}
              hint={
                <span data-testid="lift-revenue-ci">
                  {signedMoney(lift.revenue_per_recipient)} per customer · 95% CI{" "}
                  {lift.revenue_ci95
                    ? `${signedMoney(lift.revenue_ci95[0] ?? 0)} to ${signedMoney(lift.revenue_ci95[1] ?? 0)}`
                    : "not yet computable"}
                </span>
              }
            />
          </>
        ) : null}
      </div>
      {lift ? (
        <p className="muted" data-testid="lift-method">
          {lift.method}; {lift.revenue_method}. Window: {lift.window_days} days after launch
          {lift.window_complete ? " (complete)" : `, until ${formatDateTime(lift.window_ends_at)} — still filling`}.{" "}
          {lift.ci95 && lift.ci95[0] !== undefined && lift.ci95[1] !== undefined
            ? lift.ci95[0] > 0
              ? "The lift is above zero at 95% confidence."
              : lift.ci95[1] < 0
                ? "The campaign did worse than no message at 95% confidence."
                : "The interval includes zero: no measurable effect yet."
            : ""}
        </p>
      ) : null}
    </div>
  );
}
