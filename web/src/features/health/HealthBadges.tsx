import { useHealth } from "./useHealth";

const DATABASE_LABELS: Record<string, string> = { sqlite: "SQLite", postgresql: "PostgreSQL" };

export function HealthBadges() {
  const health = useHealth();
  if (health.isPending) return <span className="badge">Checking API…</span>;
  if (health.isError) {
    return (
      <span className="badge badge--danger" title={health.error.message}>
        API offline
      </span>
    );
  }
  const { database, llm_provider: provider } = health.data;
  return (
    <span className="badges" data-testid="health">
      <span className="badge badge--ok" title="CRM API is up">
        <span className="dot" aria-hidden="true" /> API ok
      </span>
      <span className="badge" title="database">
        DB: {DATABASE_LABELS[database] ?? database}
      </span>
      {provider === "offline" ? (
        <span className="badge badge--muted" title="no LLM configured: the copilot plans with rules">
          offline planner
        </span>
      ) : (
        <span className="badge" title="LLM provider">
          LLM: {provider}
        </span>
      )}
    </span>
  );
}
