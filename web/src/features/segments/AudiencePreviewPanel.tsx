import type { UseQueryResult } from "@tanstack/react-query";
import type { AudiencePreview } from "../../api/client";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { formatCount } from "../../lib/format";
import { CustomerTable } from "../customers/CustomerTable";

interface Props {
  preview: UseQueryResult<AudiencePreview>;
  /** True while the filter on screen differs from the one last sent. */
  pending: boolean;
  /** The builder's narrow column shows fewer columns and the explanation; a saved segment's page has room. */
  layout: "builder" | "page";
}

export function AudiencePreviewPanel({ preview, pending, layout }: Props) {
  const updating = pending || preview.isFetching;
  return (
    <section className="card preview" aria-live="polite" aria-busy={updating}>
      <div className="preview__head">
        <h2 className="card__title">{layout === "builder" ? "Audience" : "Members now"}</h2>
        {updating ? <span className="spinner" role="status" aria-label="Updating preview" /> : null}
      </div>
      {preview.isError ? (
        <ErrorState error={preview.error} title="This filter is not valid yet" />
      ) : preview.data ? (
        <div className={updating ? "preview__body preview__body--stale" : "preview__body"}>
          <p className="preview__count">
            <strong data-testid="audience-count">{formatCount(preview.data.count)}</strong> customers
          </p>
          {layout === "builder" ? (
            <p className="preview__explanation" data-testid="audience-explanation">
              {preview.data.explanation}
            </p>
          ) : null}
          {preview.data.sample.length > 0 ? (
            <>
              <h3 className="subhead">Sample</h3>
              <CustomerTable customers={preview.data.sample} compact={layout === "builder"} />
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
