import type { UseQueryResult } from "@tanstack/react-query";
import type { AudiencePreview } from "../../api/client";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { formatCount } from "../../lib/format";
import { CustomerTable } from "../customers/CustomerTable";

interface Props {
  preview: UseQueryResult<AudiencePreview>;
  /** True while the filter on screen differs from the one last sent. */
  pending: boolean;
}

export function AudiencePreviewPanel({ preview, pending }: Props) {
  const updating = pending || preview.isFetching;
  return (
    <section className="card preview" aria-live="polite" aria-busy={updating}>
      <div className="preview__head">
        <h2 className="card__title">Audience</h2>
        {updating ? <span className="spinner" role="status" aria-label="Updating preview" /> : null}
      </div>
      {preview.isError ? (
        <ErrorState error={preview.error} title="This filter is not valid yet" />
      ) : preview.data ? (
        <div className={updating ? "preview__body preview__body--stale" : "preview__body"}>
          <p className="preview__count">
            <strong data-testid="audience-count">{formatCount(preview.data.count)}</strong> customers
          </p>
          <p className="preview__explanation" data-testid="audience-explanation">
            {preview.data.explanation}
          </p>
          {preview.data.sample.length > 0 ? (
            <>
              <h3 className="subhead">Sample</h3>
              <CustomerTable customers={preview.data.sample} />
            </>
          ) : (
            <EmptyState title="No customers match this filter" />
          )}
        </div>
      ) : (
        <Loading label="Sizing the audience…" />
      )}
    </section>
  );
}
