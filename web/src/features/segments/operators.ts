import type { FilterCondition, MatchMode, Operator, SegmentField } from "../../api/client";

export const OPERATOR_LABELS: Record<Operator, string> = {
  eq: "is",
  neq: "is not",
  gt: "more than",
  gte: "at least",
  lt: "less than",
  lte: "at most",
  between: "between",
  in: "is any of",
  not_in: "is none of",
  contains: "contains",
  exists: "is set",
};

/** The operators a field takes that this client knows how to edit. */
export function fieldOperators(field: SegmentField): Operator[] {
  return field.operators.filter((op): op is Operator => op in OPERATOR_LABELS);
}

export const MATCH_LABELS: Record<MatchMode, string> = {
  all: "all of",
  any: "any of",
  none: "none of",
};

function show(value: unknown): string {
  return typeof value === "string" ? `“${value}”` : String(value);
}

/** One condition as a short phrase, e.g. `City is any of “Pune”, “Mumbai”`. */
export function describeCondition(condition: FilterCondition, field: SegmentField | undefined): string {
  const label = field?.label ?? condition.field;
  const unit = field?.unit && field.unit !== "₹" ? ` ${field.unit}` : "";
  const money = field?.unit === "₹" ? "₹" : "";
  const { op, value } = condition;
  let text: string;
  if (op === "exists") {
    text = `${label} ${value === false ? "is not set" : "is set"}`;
  } else if (op === "between" && Array.isArray(value)) {
    text = `${label} between ${money}${show(value[0])} and ${money}${show(value[1])}${unit}`;
  } else if (Array.isArray(value)) {
    text = `${label} ${OPERATOR_LABELS[op]} ${value.map(show).join(", ")}`;
  } else {
    text = `${label} ${OPERATOR_LABELS[op]} ${money}${show(value)}${unit}`;
  }
  if (condition.campaign_id != null) text += ` of campaign ${condition.campaign_id}`;
  if (condition.channel != null) text += ` on ${condition.channel}`;
  if (condition.within_days != null) text += ` within the last ${condition.within_days} days`;
  return text;
}
