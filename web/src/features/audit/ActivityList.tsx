import { ErrorState, Loading } from "../../components/States";
import { formatDateTime } from "../../lib/format";
import { actionLabel, actorLabel } from "./labels";
import { type AuditEntityType, useAudit } from "./queries";

/** "Activity" on a campaign or sequence: who drafted, edited, approved and launched it, and when. */
export function ActivityList({ entityType, entityId }: { entityType: AuditEntityType; entityId: number }) {
  const audit = useAudit(entityType, entityId);
  return (
    <section className="card" data-testid="activity">
      <h2 className="card__title">Activity</h2>
      {audit.isPending ? (
        <Loading label="Loading activity…" />
      ) : audit.isError ? (
        <ErrorState error={audit.error} title="Could not load the activity" />
      ) : audit.data.length === 0 ? (
        <p className="muted">Nothing recorded yet.</p>
      ) : (
        <ol className="activity">
          {audit.data.map((entry) => (
            <li key={entry.id} className="activity__item" data-testid={`activity-${entry.action}`}>
              <span className={entry.actor === "agent" ? "chip chip--agent" : "chip"} data-testid="activity-actor">
                {actorLabel(entry.actor)}
              </span>{" "}
              <strong>{actionLabel(entry.action)}</strong>
              <time className="muted" dateTime={entry.at}>
                {" "}
                · {formatDateTime(entry.at)}
              </time>
              {entry.summary ? <div className="activity__summary">{entry.summary}</div> : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
