import type { FilterCondition, FilterGroup, MatchMode, Operator, SegmentField } from "../../api/client";
import { fieldOperators } from "./operators";

/**
 * The builder edits a draft of the filter tree: every node has an id for React, and values are
 * kept as the user typed them. `toFilter` turns a draft into the DSL; the CRM validates it.
 */
export type DraftValue = string | string[] | boolean;

export interface DraftCondition {
  kind: "condition";
  id: string;
  field: string;
  op: Operator;
  value: DraftValue;
  withinDays: string;
  campaignId: string;
  channel: string;
}

export interface DraftGroup {
  kind: "group";
  id: string;
  match: MatchMode;
  children: DraftNode[];
}

export type DraftNode = DraftCondition | DraftGroup;

let lastId = 0;
function newId(): string {
  lastId += 1;
  return `node-${lastId}`;
}

export function newGroup(match: MatchMode = "all"): DraftGroup {
  return { kind: "group", id: newId(), match, children: [] };
}

export function newCondition(field: SegmentField): DraftCondition {
  const op = fieldOperators(field)[0] ?? "eq";
  return {
    kind: "condition",
    id: newId(),
    field: field.name,
    op,
    value: valueFor(field, op),
    withinDays: "",
    campaignId: "",
    channel: "",
  };
}

/** The value shape an operator takes, carrying over what it can from the previous value. */
export function valueFor(field: SegmentField, op: Operator, previous?: DraftValue): DraftValue {
  const first = Array.isArray(previous) ? (previous[0] ?? "") : typeof previous === "string" ? previous : "";
  const seed = first || (field.values?.[0]?.value ?? "");
  switch (op) {
    case "exists":
      return true;
    case "between":
      return [first, Array.isArray(previous) ? (previous[1] ?? "") : ""];
    case "in":
    case "not_in":
      return seed ? [seed] : [];
    default:
      return seed;
  }
}

export type Qualifier = NonNullable<SegmentField["qualifiers"]>[number];

/** The optional keys a condition on the field takes (within_days, campaign_id, channel). */
export function qualifiersOf(field: SegmentField | undefined): Qualifier[] {
  if (!field) return [];
  return field.qualifiers ?? (field.within_days ? ["within_days"] : []);
}

export function countConditions(group: DraftGroup): number {
  return group.children.reduce(
    (total, node) => total + (node.kind === "group" ? countConditions(node) : 1),
    0,
  );
}

function convert(field: SegmentField | undefined, text: string): string | number | null {
  if (field?.type === "string") return text;
  return text.trim() === "" ? null : Number(text);
}

function conditionToFilter(node: DraftCondition, field: SegmentField | undefined): FilterCondition {
  const { op, value } = node;
  const out: FilterCondition = {
    field: node.field,
    op,
    value:
      typeof value === "boolean"
        ? value
        : Array.isArray(value)
          ? value.map((item) => convert(field, item))
          : convert(field, value),
  };
  const qualifiers = qualifiersOf(field);
  if (qualifiers.includes("within_days") && node.withinDays.trim() !== "") out.within_days = Number(node.withinDays);
  if (qualifiers.includes("campaign_id") && node.campaignId.trim() !== "") out.campaign_id = Number(node.campaignId);
  if (qualifiers.includes("channel") && node.channel !== "") out.channel = node.channel;
  return out;
}

export function toFilter(group: DraftGroup, fields: ReadonlyMap<string, SegmentField>): FilterGroup {
  return {
    match: group.match,
    conditions: group.children.map((node) =>
      node.kind === "group" ? toFilter(node, fields) : conditionToFilter(node, fields.get(node.field)),
    ),
  };
}
