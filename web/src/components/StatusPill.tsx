const TONES: Record<string, string> = {
  draft: "pill",
  scheduled: "pill pill--scheduled",
  running: "pill pill--live",
  live: "pill pill--live",
  completed: "pill pill--ok",
  paused: "pill",
};

export function StatusPill({ status }: { status: string }) {
  return (
    <span className={TONES[status] ?? "pill"} data-testid="status">
      {status === "running" || status === "live" ? <span className="dot dot--pulse" aria-hidden="true" /> : null}
      {status}
    </span>
  );
}
