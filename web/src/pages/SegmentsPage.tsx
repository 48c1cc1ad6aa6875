import { Link } from "react-router-dom";
import { PageHeader } from "../components/PageHeader";
import { EmptyState, ErrorState, Loading } from "../components/States";
import { useSegments } from "../features/segments/queries";
import { SegmentTable } from "../features/segments/SegmentTable";

export default function SegmentsPage() {
  const segments = useSegments();
  return (
    <>
      <PageHeader
        title="Segments"
        subtitle="Saved audiences, defined by filters over customers and their orders."
        actions={
          <Link to="/segments/new" className="button button--primary">
            New segment
          </Link>
        }
      />
      <section className="card">
        {segments.isPending ? (
          <Loading label="Loading segments…" />
        ) : segments.isError ? (
          <ErrorState error={segments.error} title="Could not load segments" />
        ) : segments.data.length === 0 ? (
          <EmptyState title="No segments yet">
            <p>
              <Link to="/segments/new">Build one</Link> from conditions on spend, recency, categories and
              more.
            </p>
          </EmptyState>
        ) : (
          <SegmentTable segments={segments.data} />
        )}
      </section>
    </>
  );
}
