import { useMemo, useState } from "react";
import type { SegmentFields, SegmentFilter } from "../../api/client";
import { useDebouncedValue } from "../../lib/useDebouncedValue";
import { AudiencePreviewPanel } from "./AudiencePreviewPanel";
import { parseNodeError } from "./builder/errorPath";
import { GroupEditor } from "./builder/GroupEditor";
import { countConditions, type DraftGroup, newGroup, toFilter } from "./draft";
import { useAudiencePreview } from "./queries";
import { SaveSegmentForm } from "./SaveSegmentForm";

/** Nested groups and conditions on the left; a live, debounced audience preview on the right. */
export function SegmentBuilder({ catalog }: { catalog: SegmentFields }) {
  const [root, setRoot] = useState<DraftGroup>(() => newGroup("all"));
  const fieldMap = useMemo(() => new Map(catalog.fields.map((field) => [field.name, field])), [catalog]);
  const filter = toFilter(root, fieldMap);
  const filterJson = JSON.stringify(filter);
  const settledJson = useDebouncedValue(filterJson, 400);
  const settled = useMemo(() => JSON.parse(settledJson) as SegmentFilter, [settledJson]);
  const preview = useAudiencePreview(settled);
  const nodeError = preview.isError ? parseNodeError(preview.error.message) : null;

  return (
    <div className="builder">
      <div className="builder__editor">
        <section className="card">
          <h2 className="card__title">Filter</h2>
          <GroupEditor
            group={root}
            path=""
            depth={1}
            limits={{
              maxDepth: catalog.max_depth,
              canAddCondition: countConditions(root) < catalog.max_conditions,
            }}
            fields={catalog.fields}
            error={nodeError}
            onChange={setRoot}
          />
        </section>
        <SaveSegmentForm filter={filter} />
      </div>
      <AudiencePreviewPanel preview={preview} pending={settledJson !== filterJson} layout="builder" />
    </div>
  );
}
