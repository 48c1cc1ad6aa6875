import type { SequenceStats } from "../../api/client";
import { formatCount, formatMoney } from "../../lib/format";
import { channelLabel, conditionLabel } from "../../lib/labels";

export function StepStatsTable({ stats }: { stats: SequenceStats }) {
  const enrollments = Object.entries(stats.enrollments);
  const byVersion = Object.entries(stats.by_version);
  return (
    <>
      <div className="stat-row">
        {enrollments.length === 0 ? (
          <span className="muted">No one has entered yet.</span>
        ) : (
          enrollments.map(([status, n]) => (
            <span key={status}>
              <strong>{formatCount(n)}</strong> {status.replace(/_/g, " ")}
            </span>
          ))
        )}
        {byVersion.map(([version, n]) => (
          <span key={version} className="chip">
            v{version}: {formatCount(n)} contacts
          </span>
        ))}
        <span>
          <strong>{formatMoney(stats.revenue)}</strong> attributed revenue
        </span>
      </div>
      <div className="table-wrap">
        <table className="table table--compact" data-testid="step-stats">
          <thead>
            <tr>
              <th>Step</th>
              <th className="num">Entered</th>
              <th className="num">Waiting</th>
              <th className="num">Sent</th>
              <th className="num" title="not sent because the condition was false or there was no consent">
                Skipped (condition)
              </th>
              <th className="num" title="moved later by quiet hours or the frequency cap">
                Deferred (policy)
              </th>
              <th className="num">Cancelled</th>
              <th className="num">Delivered</th>
              <th className="num">Opened / read</th>
              <th className="num">Clicked</th>
              <th className="num">Converted</th>
              <th className="num">Revenue</th>
            </tr>
          </thead>
          <tbody>
            {stats.steps.map((step) => {
              const n = step.index + 1;
              const cell = (name: string, value: number) => (
                <td className="num" data-testid={`step-${n}-${name}`}>
                  {formatCount(value)}
                </td>
              );
              return (
                <tr key={step.key ?? step.index}>
                  <td className="step-stats-name">
                    <span className="cell-title">
                      {n}. {channelLabel(step.channel)}
                    </span>
                    <span className="cell-sub">{conditionLabel(step.condition)}</span>
                  </td>
                  {cell("entered", step.entered)}
                  {cell("waiting", step.waiting)}
                  {cell("sent", step.sent)}
                  {cell("skipped", step.skipped)}
                  {cell("deferred", step.deferred)}
                  {cell("cancelled", step.cancelled)}
                  {cell("delivered", step.funnel.delivered)}
                  {cell("engaged", Math.max(step.funnel.opened, step.funnel.read))}
                  {cell("clicked", step.funnel.clicked)}
                  {cell("converted", step.funnel.converted)}
                  <td className="num">{formatMoney(step.revenue)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
