import { Link } from "react-router-dom";
import { PageHeader } from "../components/PageHeader";
import { EmptyState, ErrorState, Loading } from "../components/States";
import { actionLabel, actorLabel } from "../features/audit/labels";
import { useAudit } from "../features/audit/queries";
import { formatDateTime } from "../lib/format";

export default function AuditPage() {
  const audit = useAudit(undefined, undefined, 200);
  return (
    <>
      <PageHeader title="Audit log" subtitle="Who drafted, edited, approved and launched each campaign and sequence" />
      {audit.isPending ? (
        <Loading label="Loading the audit log…" />
      ) : audit.isError ? (
        <ErrorState error={audit.error} title="Could not load the audit log" />
      ) : audit.data.length === 0 ? (
        <EmptyState title="Nothing recorded yet" />
      ) : (
        <div className="card table-wrap">
          <table className="table" data-testid="audit-table">
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>Did</th>
                <th>What</th>
                <th>Summary</th>
              </tr>
            </thead>
            <tbody>
              {audit.data.map((entry) => (
                <tr key={entry.id}>
                  <td>{formatDateTime(entry.at)}</td>
                  <td>{actorLabel(entry.actor)}</td>
                  <td>{actionLabel(entry.action)}</td>
                  <td>
                    <Link to={`/${entry.entity_type}s/${entry.entity_id}`}>
                      {entry.entity_type} #{entry.entity_id}
                    </Link>
                  </td>
                  <td>{entry.summary}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
