import { ApiError, csrfHeaders, detailOf, reportStatus } from "./client";

export interface ServerEvent {
  event: string;
  data: string;
}

/**
 * Splits a text/event-stream into events. Handles CRLF, multi-line `data:` fields, comments
 * (`: keep-alive`) and chunks that end mid-line; an event ends at a blank line.
 */
export class EventStreamParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];

  push(chunk: string): ServerEvent[] {
    this.buffer += chunk;
    const events: ServerEvent[] = [];
    let newline = this.buffer.search(/\r\n|\r|\n/);
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith("\r\n", newline) ? 2 : 1;
      this.buffer = this.buffer.slice(newline + width);
      const event = this.line(line);
      if (event) events.push(event);
      newline = this.buffer.search(/\r\n|\r|\n/);
    }
    return events;
  }

  private line(line: string): ServerEvent | null {
    if (line === "") {
      const event = this.data.length > 0 ? { event: this.event || "message", data: this.data.join("\n") } : null;
      this.event = "";
      this.data = [];
      return event;
    }
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    return null;
  }
}

/**
 * POSTs JSON and yields the server-sent events of the response (EventSource cannot POST).
 * A non-2xx answer throws an ApiError with the API's `detail`.
 */
export async function* postEventStream(
  url: string,
  body: unknown,
  signal?: AbortSignal,
): AsyncGenerator<ServerEvent, void, undefined> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "text/event-stream", ...csrfHeaders("POST") },
    credentials: "same-origin",
    body: JSON.stringify(body),
    signal: signal ?? null,
  });
  if (!response.ok) {
    reportStatus(url, response.status);
    let detail: unknown;
    try {
      detail = detailOf(await response.json());
    } catch {
      detail = undefined;
    }
    throw new ApiError(response.status, detail);
  }
  if (!response.body) throw new Error("The server sent no stream");
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new EventStreamParser();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(value);
    }
    yield* parser.push("\n\n");
  } finally {
    // Stops the download when the caller stops early (abort, or leaving the loop).
    await reader.cancel().catch(() => undefined);
  }
}
