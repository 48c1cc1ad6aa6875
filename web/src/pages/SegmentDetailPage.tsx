import { Link, useParams } from "react-router-dom";
import { ErrorState, Loading } from "../components/States";
import { useSegment } from "../features/segments/queries";
import { SegmentDetailView } from "../features/segments/SegmentDetailView";

export default function SegmentDetailPage() {
  const id = Number(useParams().segmentId);
  const segment = useSegment(id);
  return (
    <>
      <Link to="/segments" className="back-link">
        ← Segments
      </Link>
      {segment.isPending ? (
        <Loading label="Loading segment…" />
      ) : segment.isError ? (
        <ErrorState error={segment.error} title="Could not load this segment" />
      ) : (
        <SegmentDetailView segment={segment.data} />
      )}
    </>
  );
}
