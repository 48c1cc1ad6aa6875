import { useHealth } from "../health/useHealth";

function warningOf(health: object | undefined): string | null {
  if (!health || !("llm_warning" in health)) return null;
  const warning = health.llm_warning;
  return typeof warning === "string" && warning ? warning : null;
}

/** Says plainly which brain the copilot is using, and any warning the CRM has about it. */
export function ProviderNotice() {
  const health = useHealth();
  if (!health.data) return null;
  const warning = warningOf(health.data);
  const provider = health.data.llm_provider;
  return (
    <div className="provider-notice" data-testid="provider-notice">
      {provider === "offline" ? (
        <span className="badge badge--muted">
          <strong>Offline planner — no LLM key needed.</strong>&nbsp;Built-in rules plan the campaign; everything works.
        </span>
      ) : (
        <span className="badge">LLM: {provider}</span>
      )}
      {warning ? (
        <span className="warning warning--inline" role="note">
          ⚠ {warning}
        </span>
      ) : null}
    </div>
  );
}
