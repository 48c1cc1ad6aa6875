import type { MatchMode, SegmentField } from "../../../api/client";
import { type DraftGroup, type DraftNode, newCondition, newGroup } from "../draft";
import { MATCH_LABELS } from "../operators";
import { ConditionEditor } from "./ConditionEditor";
import { childPath, isGroupError, type NodeError } from "./errorPath";

interface Props {
  group: DraftGroup;
  path: string;
  depth: number;
  limits: { maxDepth: number; canAddCondition: boolean };
  fields: SegmentField[];
  error: NodeError | null;
  onChange: (group: DraftGroup) => void;
  onRemove?: () => void;
}

const MATCHES: MatchMode[] = ["all", "any", "none"];

/** A group of conditions joined by all/any/none; groups nest up to the CRM's max depth. */
export function GroupEditor({ group, path, depth, limits, fields, error, onChange, onRemove }: Props) {
  const replaceChild = (updated: DraftNode) =>
    onChange({
      ...group,
      children: group.children.map((child) => (child.id === updated.id ? updated : child)),
    });
  const removeChild = (id: string) =>
    onChange({ ...group, children: group.children.filter((child) => child.id !== id) });
  const firstField = fields[0];
  const invalid = isGroupError(error, path);

  return (
    <div className={invalid ? "group group--invalid" : "group"} data-path={path || "filter"}>
      <div className="group__header">
        <span>Customers matching</span>
        <select
          className="input"
          aria-label="Match"
          value={group.match}
          onChange={(event) => onChange({ ...group, match: event.target.value as MatchMode })}
        >
          {MATCHES.map((match) => (
            <option key={match} value={match}>
              {MATCH_LABELS[match]}
            </option>
          ))}
        </select>
        <span>these conditions</span>
        {onRemove ? (
          <button type="button" className="button button--ghost" aria-label="Remove group" onClick={onRemove}>
            ✕
          </button>
        ) : null}
      </div>
      {invalid && error ? <p className="field-error">{error.reason}</p> : null}
      <div className="group__children">
        {group.children.length === 0 ? (
          <p className="muted group__empty">No conditions: every customer matches.</p>
        ) : null}
        {group.children.map((child, index) =>
          child.kind === "group" ? (
            <GroupEditor
              key={child.id}
              group={child}
              path={childPath(path, index)}
              depth={depth + 1}
              limits={limits}
              fields={fields}
              error={error}
              onChange={replaceChild}
              onRemove={() => removeChild(child.id)}
            />
          ) : (
            <ConditionEditor
              key={child.id}
              node={child}
              path={childPath(path, index)}
              fields={fields}
              error={error}
              onChange={replaceChild}
              onRemove={() => removeChild(child.id)}
            />
          ),
        )}
      </div>
      <div className="group__actions">
        <button
          type="button"
          className="button button--small"
          disabled={!firstField || !limits.canAddCondition}
          onClick={() =>
            firstField && onChange({ ...group, children: [...group.children, newCondition(firstField)] })
          }
        >
          + Condition
        </button>
        <button
          type="button"
          className="button button--small"
          disabled={depth >= limits.maxDepth}
          title={depth >= limits.maxDepth ? `groups nest at most ${limits.maxDepth} deep` : undefined}
          onClick={() => onChange({ ...group, children: [...group.children, newGroup("any")] })}
        >
          + Group
        </button>
      </div>
    </div>
  );
}
