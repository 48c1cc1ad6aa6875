import type { Operator, SegmentField } from "../../../api/client";
import { type DraftCondition, newCondition, qualifiersOf, valueFor } from "../draft";
import { fieldOperators, OPERATOR_LABELS } from "../operators";
import { isConditionError, type NodeError } from "./errorPath";
import { ValueInput } from "./ValueInput";

const CHANNELS = ["whatsapp", "sms", "email", "rcs"] as const;

interface Props {
  node: DraftCondition;
  path: string;
  fields: SegmentField[];
  error: NodeError | null;
  onChange: (node: DraftCondition) => void;
  onRemove: () => void;
}

export function ConditionEditor({ node, path, fields, error, onChange, onRemove }: Props) {
  const field = fields.find((candidate) => candidate.name === node.field);
  const invalid = isConditionError(error, path);
  const qualifiers = qualifiersOf(field);

  const changeField = (name: string) => {
    const next = fields.find((candidate) => candidate.name === name);
    if (next) onChange({ ...newCondition(next), id: node.id });
  };
  const changeOp = (op: Operator) => {
    if (field) onChange({ ...node, op, value: valueFor(field, op, node.value) });
  };

  return (
    <div className={invalid ? "condition condition--invalid" : "condition"} data-path={path}>
      <div className="condition__row">
        <select
          className="input"
          aria-label="Field"
          value={node.field}
          onChange={(event) => changeField(event.target.value)}
        >
          {fields.map((candidate) => (
            <option key={candidate.name} value={candidate.name} title={candidate.description}>
              {candidate.label}
            </option>
          ))}
        </select>
        {field ? (
          <>
            <select
              className="input"
              aria-label="Operator"
              value={node.op}
              onChange={(event) => changeOp(event.target.value as Operator)}
            >
              {fieldOperators(field).map((op) => (
                <option key={op} value={op}>
                  {OPERATOR_LABELS[op]}
                </option>
              ))}
            </select>
            <ValueInput
              field={field}
              op={node.op}
              value={node.value}
              onChange={(value) => onChange({ ...node, value })}
            />
            {qualifiers.includes("campaign_id") ? (
              <label className="within">
                campaign
                <input
                  className="input input--days"
                  type="number"
                  min={1}
                  step={1}
                  aria-label="Campaign id"
                  placeholder="any"
                  value={node.campaignId}
                  onChange={(event) => onChange({ ...node, campaignId: event.target.value })}
                />
              </label>
            ) : null}
            {qualifiers.includes("channel") ? (
              <label className="within">
                on
                <select
                  className="input"
                  aria-label="Message channel"
                  value={node.channel}
                  onChange={(event) => onChange({ ...node, channel: event.target.value })}
                >
                  <option value="">any channel</option>
                  {CHANNELS.map((channel) => (
                    <option key={channel} value={channel}>
                      {channel}
                    </option>
                  ))}
                </select>
              </label>
            ) : null}
            {qualifiers.includes("within_days") ? (
              <label className="within">
                within the last
                <input
                  className="input input--days"
                  type="number"
                  min={0}
                  step={1}
                  aria-label="Within days"
                  placeholder="any"
                  value={node.withinDays}
                  onChange={(event) => onChange({ ...node, withinDays: event.target.value })}
                />
                days
              </label>
            ) : null}
          </>
        ) : (
          <span className="muted">unknown field {node.field}</span>
        )}
        <button
          type="button"
          className="button button--ghost"
          aria-label="Remove condition"
          onClick={onRemove}
        >
          ✕
        </button>
      </div>
      {invalid && error ? <p className="field-error">{error.reason}</p> : null}
    </div>
  );
}
