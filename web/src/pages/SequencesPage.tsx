import { Link } from "react-router-dom";
import { PageHeader } from "../components/PageHeader";
import { EmptyState, ErrorState, Loading } from "../components/States";
import { StatusPill } from "../components/StatusPill";
import { CreatedBy } from "../features/campaigns/CampaignTable";
import { useSequences } from "../features/sequences/queries";
import { formatCount, formatDateTime } from "../lib/format";
import { channelLabel } from "../lib/labels";

export default function SequencesPage() {
  const sequences = useSequences();
  return (
    <>
      <PageHeader
        title="Sequences"
        subtitle="Multi-step journeys: each step waits, checks a condition, and sends on its channel. Edits make new versions."
        actions={
          <Link to="/" className="button button--primary">
            ✦ Plan one with the copilot
          </Link>
        }
      />
      <section className="card">
        {sequences.isPending ? (
          <Loading label="Loading sequences…" />
        ) : sequences.isError ? (
          <ErrorState error={sequences.error} title="Could not load sequences" />
        ) : sequences.data.length === 0 ? (
          <EmptyState title="No sequences yet">
            <p>
              Ask <Link to="/">the copilot</Link> for something like “3-step win-back: WhatsApp now, an email 2 days later
              if they haven’t read it”.
            </p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="sequence-table">
              <thead>
                <tr>
                  <th>Sequence</th>
                  <th>Status</th>
                  <th>Steps</th>
                  <th className="num">Version</th>
                  <th className="num">Audience</th>
                  <th>Created by</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody>
                {sequences.data.map((sequence) => (
                  <tr key={sequence.id}>
                    <td className="cell-wrap">
                      <Link to={`/sequences/${sequence.id}`} className="cell-title">
                        {sequence.name}
                      </Link>
                      <span className="cell-sub">{sequence.explanation}</span>
                    </td>
                    <td>
                      <StatusPill status={sequence.status} />
                    </td>
                    <td>{sequence.steps.map((step) => channelLabel(step.channel)).join(" → ")}</td>
                    <td className="num">v{sequence.version}</td>
                    <td className="num">{formatCount(sequence.audience_count)}</td>
                    <td>
                      <CreatedBy by={sequence.created_by} />
                    </td>
                    <td>{formatDateTime(sequence.updated_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
