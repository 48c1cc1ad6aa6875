import type { FilterCondition, SavedFilter, SegmentField } from "../../api/client";
import { describeCondition, MATCH_LABELS } from "./operators";

type SavedNode = NonNullable<SavedFilter["conditions"]>[number];

function isCondition(node: SavedNode): node is FilterCondition {
  return "field" in node;
}

/** A saved filter as a nested, readable outline. */
export function FilterTree({ filter, fields }: { filter: SavedFilter; fields: SegmentField[] }) {
  const byName = new Map(fields.map((field) => [field.name, field]));
  const render = (group: SavedFilter) => {
    const nodes = group.conditions ?? [];
    return (
      <div className="tree__group">
        <span className="tree__match">
          {nodes.length === 0 ? "Every customer" : `Customers matching ${MATCH_LABELS[group.match]}:`}
        </span>
        {nodes.length > 0 ? (
          <ul>
            {nodes.map((node, index) => (
              // Saved filters are immutable, so a node's position is a stable key.
              <li key={index}>
                {isCondition(node) ? (
                  <span className="tree__condition">{describeCondition(node, byName.get(node.field))}</span>
                ) : (
                  render(node)
                )}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    );
  };
  return (
    <div className="tree" data-testid="filter-tree">
      {render(filter)}
    </div>
  );
}
