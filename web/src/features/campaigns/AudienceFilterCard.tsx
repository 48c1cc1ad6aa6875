import { Link } from "react-router-dom";
import type { SavedFilter } from "../../api/client";
import { FilterTree } from "../segments/FilterTree";
import { useSegmentFields } from "../segments/queries";
import { formatCount } from "../../lib/format";

/** Who a campaign or sequence targets: the plain-English explanation and the filter as an outline. */
export function AudienceFilterCard({
  explanation,
  filter,
  audienceCount,
  segmentId,
}: {
  explanation: string;
  filter: SavedFilter;
  audienceCount: number;
  segmentId?: number | null;
}) {
  const fields = useSegmentFields();
  return (
    <section className="card" data-testid="audience-filter">
      <h2 className="card__title">Audience · {formatCount(audienceCount)} customers</h2>
      <p>{explanation}</p>
      <FilterTree filter={filter} fields={fields.data?.fields ?? []} />
      {segmentId ? (
        <p className="muted">
          From segment <Link to={`/segments/${segmentId}`}>#{segmentId}</Link>
        </p>
      ) : null}
    </section>
  );
}
