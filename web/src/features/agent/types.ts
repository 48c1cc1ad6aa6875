import type { ToolResult } from "../../api/client";

/* Tool results are typed by the CRM's OpenAPI (`ToolResult`, told apart by `kind`); the types
   here are generated, not mirrored by hand. */

/** One entry in the chat thread, as shown. */
export type ThreadItem =
  | { kind: "user"; key: string; text: string }
  | { kind: "assistant"; key: string; text: string }
  | { kind: "tool"; key: string; tool: string; arguments: Record<string, unknown>; result?: ToolResult; pending: boolean }
  | { kind: "error"; key: string; text: string };

export type ToolResultKind = ToolResult["kind"];
/** The result of one kind, e.g. `ResultOf<"audience">`. */
export type ResultOf<K extends ToolResultKind> = Extract<ToolResult, { kind: K }>;

export type AudienceResult = ResultOf<"audience">;
export type ChannelResult = ResultOf<"channel">;
export type MessageResult = ResultOf<"message">;
export type StagedCampaignResult = ResultOf<"staged_campaign">;
export type StagedSequenceResult = ResultOf<"staged_sequence">;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A streamed tool result (SSE data is untyped JSON): every result the CRM sends has a `kind`. */
export function asToolResult(value: unknown): ToolResult | undefined {
  return isObject(value) && typeof value.kind === "string" ? (value as unknown as ToolResult) : undefined;
}

/** The result narrowed to one kind, or null when it is another. */
export function resultOf<K extends ToolResultKind>(result: ToolResult | undefined, kind: K): ResultOf<K> | null {
  return result?.kind === kind ? (result as ResultOf<K>) : null;
}

/** The `error` a tool returned, if it failed. */
export function toolError(result: ToolResult | undefined): string | null {
  return result?.kind === "error" ? result.error : null;
}

export function parseJson(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

export { isObject };
