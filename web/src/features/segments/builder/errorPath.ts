/** A validation message from the CRM split into the node path it names and the reason. */
export interface NodeError {
  path: string;
  reason: string;
}

const PATHED =
  /^((?:conditions\[\d+\]\.?)*(?:match|conditions|field|op|value(?:\[\d+\])?|within_days|campaign_id|channel)?|filter): (.+)$/s;

export function parseNodeError(message: string): NodeError | null {
  const found = PATHED.exec(message);
  if (!found?.[1] || !found[2]) return null;
  return { path: found[1] === "filter" ? "" : found[1], reason: found[2] };
}

export function childPath(parent: string, index: number): string {
  return `${parent ? `${parent}.` : ""}conditions[${index}]`;
}

/** Whether the error is about this condition (or one of its keys). */
export function isConditionError(error: NodeError | null, path: string): boolean {
  return error !== null && (error.path === path || error.path.startsWith(`${path}.`));
}

/** Whether the error is about this group itself rather than one of its children. */
export function isGroupError(error: NodeError | null, path: string): boolean {
  if (error === null) return false;
  const own = path ? `${path}.` : "";
  return error.path === path || error.path === `${own}match` || error.path === `${own}conditions`;
}
