/**
 * The channel service's /v1/stats JSON, which the CRM proxies as an untyped object: the
 * fields this page shows are read defensively, so a missing one renders as "—", not a crash.
 */
export interface ChannelStats {
  queueDepth: number | null;
  queueCapacity: number | null;
  inFlight: number | null;
  accepted: number | null;
  eventsEmitted: number | null;
  eventsByType: { type: string; count: number }[];
  duplicatesInjected: number | null;
  retries: number | null;
  callbacksSent: number | null;
  deadLetters: { batches: number; events: number };
  latency: { p50: number | null; p95: number | null };
  timeScale: number | null;
}

type Json = Record<string, unknown>;

function object(value: unknown): Json {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};
}

export function readNumber(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

export function readChannelStats(raw: Json): ChannelStats {
  const dead = object(raw.dead_letters);
  const latency = object(raw.callback_latency_ms);
  return {
    queueDepth: readNumber(raw.queue_depth),
    queueCapacity: readNumber(raw.queue_capacity),
    inFlight: readNumber(raw.in_flight),
    accepted: readNumber(raw.accepted),
    eventsEmitted: readNumber(raw.events_emitted),
    eventsByType: Object.entries(object(raw.events_emitted_by_type)).map(([type, count]) => ({
      type,
      count: readNumber(count) ?? 0,
    })),
    duplicatesInjected: readNumber(raw.duplicates_injected),
    retries: readNumber(raw.retries),
    callbacksSent: readNumber(raw.callbacks_sent),
    deadLetters: { batches: readNumber(dead.batches) ?? 0, events: readNumber(dead.events) ?? 0 },
    latency: { p50: readNumber(latency.p50), p95: readNumber(latency.p95) },
    timeScale: readNumber(raw.time_scale),
  };
}
