import { ErrorState, Loading } from "../../components/States";
import { useHealth } from "./useHealth";

export function CrmHealthCard() {
  const health = useHealth();
  return (
    <section className="card">
      <h2 className="card__title">CRM</h2>
      {health.isPending ? (
        <Loading label="Checking the CRM…" />
      ) : health.isError ? (
        <ErrorState error={health.error} title="The CRM API is not answering" />
      ) : (
        <dl className="facts">
          <dt>Status</dt>
          <dd>
            <span className="pill pill--ok">{health.data.status}</span>
          </dd>
          <dt>Database</dt>
          <dd>{health.data.database}</dd>
          <dt>LLM provider</dt>
          <dd>
            {health.data.llm_provider === "offline"
              ? "offline planner (no LLM key)"
              : health.data.llm_provider}
          </dd>
        </dl>
      )}
    </section>
  );
}
