import { useState } from "react";
import { useNavigate } from "react-router-dom";
import type { Segment } from "../../api/client";
import { PageHeader } from "../../components/PageHeader";
import { StatCard } from "../../components/StatCard";
import { ErrorState, Loading } from "../../components/States";
import { formatCount, formatDate, formatDateTime } from "../../lib/format";
import { AudiencePreviewPanel } from "./AudiencePreviewPanel";
import { FilterTree } from "./FilterTree";
import { useAudiencePreview, useDeleteSegment, useSegmentFields } from "./queries";

export function SegmentDetailView({ segment }: { segment: Segment }) {
  const fields = useSegmentFields();
  const sample = useAudiencePreview(segment.filter);
  const remove = useDeleteSegment();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);

  const actions = (
    <>
      <a className="button" href={`/api/segments/${segment.id}/customers?format=csv`} download>
        Export CSV
      </a>
      {confirming ? (
        <>
          <button
            type="button"
            className="button button--danger"
            disabled={remove.isPending}
            onClick={() => remove.mutate(segment.id, { onSuccess: () => void navigate("/segments") })}
          >
            {remove.isPending ? "Deleting…" : "Confirm delete"}
          </button>
          <button type="button" className="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </>
      ) : (
        <button type="button" className="button button--danger-outline" onClick={() => setConfirming(true)}>
          Delete
        </button>
      )}
    </>
  );

  return (
    <>
      <PageHeader title={segment.name} subtitle={`Saved segment #${segment.id}`} actions={actions} />
      {remove.isError ? <ErrorState error={remove.error} title="Could not delete the segment" /> : null}
      <div className="stat-grid">
        <StatCard
          label="Customers now"
          value={segment.count === null || segment.count === undefined ? "—" : formatCount(segment.count)}
        />
        <StatCard label="Created by" value={segment.created_by} hint={formatDateTime(segment.created_at)} />
        <StatCard label="Last updated" value={formatDate(segment.updated_at)} hint={formatDateTime(segment.updated_at)} />
      </div>
      <section className="card">
        <h2 className="card__title">Who is in it</h2>
        <p className="preview__explanation" data-testid="segment-explanation">
          {segment.explanation}
        </p>
        {fields.isPending ? (
          <Loading label="Loading fields…" />
        ) : fields.isError ? (
          <ErrorState error={fields.error} title="Could not load the field list" />
        ) : (
          <FilterTree filter={segment.filter} fields={fields.data.fields} />
        )}
        <details className="json">
          <summary>Filter as JSON</summary>
          <pre>{JSON.stringify(segment.filter, null, 2)}</pre>
        </details>
      </section>
      <AudiencePreviewPanel preview={sample} pending={false} layout="page" />
    </>
  );
}
