import type { Channel } from "../../api/client";

/* Tool results are free-form JSON in the API, so they are read here defensively. */

/** One entry in the chat thread, as shown. */
export type ThreadItem =
  | { kind: "user"; key: string; text: string }
  | { kind: "assistant"; key: string; text: string }
  | { kind: "tool"; key: string; tool: string; arguments: Record<string, unknown>; result?: unknown; pending: boolean }
  | { kind: "error"; key: string; text: string };

export interface AudienceResult {
  count: number;
  explanation: string;
  sample: { name: string | null; city: string | null; total_spent: number; orders: number }[];
}

export interface ChannelOption {
  channel: Channel;
  reachable: number;
  reachable_share: number;
  cost_per_message: number;
  estimated_cost: number;
  expected_conversions?: number;
  expected_revenue?: number;
  expected_return?: number;
}

export interface ChannelResult {
  audience: number;
  recommended: Channel;
  reason: string;
  options: ChannelOption[];
}

export interface MessageResult {
  valid: boolean;
  error?: string;
  variables?: string[];
  rendered_sample?: { customer: string | null; subject: string | null; body: string };
  missing_variable_counts?: Record<string, number>;
}

export interface StagedCampaignResult {
  campaign_id: number;
  status: string;
  audience_count: number;
  channel: Channel;
  note?: string;
}

export interface StagedSequenceResult {
  sequence_id: number;
  status: string;
  steps?: unknown[];
  timeline?: string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The `error` a tool returned, if it failed. */
export function toolError(result: unknown): string | null {
  if (!isObject(result) || !("error" in result)) return null;
  const error = result.error;
  if (typeof error === "string") return error;
  return JSON.stringify(error);
}

export function asAudience(result: unknown): AudienceResult | null {
  if (!isObject(result) || typeof result.count !== "number") return null;
  return {
    count: result.count,
    explanation: typeof result.explanation === "string" ? result.explanation : "",
    sample: Array.isArray(result.sample) ? (result.sample as AudienceResult["sample"]) : [],
  };
}

export function asChannel(result: unknown): ChannelResult | null {
  if (!isObject(result) || typeof result.recommended !== "string" || !Array.isArray(result.options)) return null;
  return result as unknown as ChannelResult;
}

export function asMessage(result: unknown): MessageResult | null {
  if (!isObject(result) || typeof result.valid !== "boolean") return null;
  return result as unknown as MessageResult;
}

export function asStagedCampaign(result: unknown): StagedCampaignResult | null {
  if (!isObject(result) || typeof result.campaign_id !== "number") return null;
  return result as unknown as StagedCampaignResult;
}

export function asStagedSequence(result: unknown): StagedSequenceResult | null {
  if (!isObject(result) || typeof result.sequence_id !== "number") return null;
  return result as unknown as StagedSequenceResult;
}

export function parseJson(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

export { isObject };
