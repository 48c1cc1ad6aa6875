import { type KeyboardEvent, type ReactNode, useId, useState } from "react";
import type { Operator, SegmentField } from "../../../api/client";
import type { DraftValue } from "../draft";

interface Props {
  field: SegmentField;
  op: Operator;
  value: DraftValue;
  onChange: (value: DraftValue) => void;
}

interface ScalarProps {
  className: string;
  type: "text" | "number";
  min: number | undefined;
  max: number | undefined;
  step: number | "any" | undefined;
  list: string | undefined;
}

const FIXED_VALUE_KINDS = new Set(["engagement"]);

/** The value editor for one condition; its shape follows the operator. */
export function ValueInput({ field, op, value, onChange }: Props) {
  const listId = useId();
  const suggestions = field.values ?? [];
  const datalist =
    suggestions.length > 0 ? (
      <datalist id={listId}>
        {suggestions.map((item) => (
          <option key={item.value} value={item.value}>
            {`${item.value} (${item.count})`}
          </option>
        ))}
      </datalist>
    ) : null;
  const numeric = field.type !== "string";
  const scalarProps: ScalarProps = {
    className: "input input--value",
    type: numeric ? "number" : "text",
    min: numeric ? 0 : undefined,
    max: numeric ? (field.maximum ?? undefined) : undefined,
    step: numeric ? (field.type === "integer" ? 1 : "any") : undefined,
    list: datalist ? listId : undefined,
  };

  if (op === "exists") {
    return (
      <select
        className="input"
        aria-label="Value"
        value={value === false ? "false" : "true"}
        onChange={(event) => onChange(event.target.value === "true")}
      >
        <option value="true">true (is set)</option>
        <option value="false">false (is not set)</option>
      </select>
    );
  }

  // A field whose values are a fixed set (engagement stages) is picked from them.
  if (FIXED_VALUE_KINDS.has(field.kind) && suggestions.length > 0 && (op === "eq" || op === "neq")) {
    return (
      <select
        className="input"
        aria-label="Value"
        value={typeof value === "string" ? value : ""}
        onChange={(event) => onChange(event.target.value)}
      >
        {suggestions.map((item) => (
          <option key={item.value} value={item.value}>
            {item.value}
          </option>
        ))}
      </select>
    );
  }

  if (op === "between") {
    const [low = "", high = ""] = Array.isArray(value) ? value : [];
    return (
      <span className="value-range">
        <input
          {...scalarProps}
          aria-label="Low value"
          value={low}
          onChange={(event) => onChange([event.target.value, high])}
        />
        <span className="muted">and</span>
        <input
          {...scalarProps}
          aria-label="High value"
          value={high}
          onChange={(event) => onChange([low, event.target.value])}
        />
        {datalist}
        <Unit field={field} />
      </span>
    );
  }

  if (op === "in" || op === "not_in") {
    return (
      <ListInput
        values={Array.isArray(value) ? value : []}
        onChange={onChange}
        inputProps={scalarProps}
        datalist={datalist}
      />
    );
  }

  return (
    <span className="value-single">
      <input
        {...scalarProps}
        aria-label="Value"
        value={typeof value === "string" ? value : ""}
        onChange={(event) => onChange(event.target.value)}
      />
      {datalist}
      <Unit field={field} />
    </span>
  );
}

function Unit({ field }: { field: SegmentField }) {
  return field.unit ? <span className="muted unit">{field.unit}</span> : null;
}

interface ListInputProps {
  values: string[];
  onChange: (values: string[]) => void;
  inputProps: ScalarProps;
  datalist: ReactNode;
}

/** Chips for the values chosen so far, and an input that adds one on Enter or "Add". */
function ListInput({ values, onChange, inputProps, datalist }: ListInputProps) {
  const [text, setText] = useState("");
  const add = () => {
    const item = text.trim();
    if (item && !values.includes(item)) onChange([...values, item]);
    setText("");
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") {
      event.preventDefault();
      add();
    }
  };
  return (
    <span className="value-list">
      {values.map((item) => (
        <span key={item} className="chip chip--removable">
          {item}
          <button
            type="button"
            aria-label={`Remove ${item}`}
            onClick={() => onChange(values.filter((other) => other !== item))}
          >
            ×
          </button>
        </span>
      ))}
      <input
        {...inputProps}
        aria-label="Add a value"
        placeholder="add a value"
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      {datalist}
      <button type="button" className="button button--small" onClick={add} disabled={!text.trim()}>
        Add
      </button>
    </span>
  );
}
