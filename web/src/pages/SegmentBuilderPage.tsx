import { Link } from "react-router-dom";
import { PageHeader } from "../components/PageHeader";
import { ErrorState, Loading } from "../components/States";
import { useSegmentFields } from "../features/segments/queries";
import { SegmentBuilder } from "../features/segments/SegmentBuilder";

export default function SegmentBuilderPage() {
  const fields = useSegmentFields();
  return (
    <>
      <Link to="/segments" className="back-link">
        ← Segments
      </Link>
      <PageHeader title="New segment" subtitle="Combine conditions; the audience updates as you type." />
      {fields.isPending ? (
        <Loading label="Loading fields…" />
      ) : fields.isError ? (
        <ErrorState error={fields.error} title="Could not load the field list" />
      ) : (
        <SegmentBuilder catalog={fields.data} />
      )}
    </>
  );
}
