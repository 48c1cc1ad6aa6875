import { useHealth } from "../health/useHealth";

/** Says plainly which brain the copilot is using, and any warning the CRM has about it. */
export function ProviderNotice() {
  const health = useHealth();
  if (!health.data) return null;
  const { llm_provider: provider, llm_configured: configured, llm_warning: warning } = health.data;
  return (
    <div className="provider-notice" data-testid="provider-notice">
      {provider === "offline" ? (
        <span className="badge badge--muted">
          <strong>Offline planner — no LLM key needed.</strong>&nbsp;Built-in rules plan the campaign; everything works.
        </span>
      ) : (
        <span className="badge">LLM: {provider}</span>
      )}
      {provider !== configured ? (
        <span className="muted">
          Configured: {configured}; using {provider}.
        </span>
      ) : null}
      {warning ? (
        <span className="warning warning--inline" role="note">
          ⚠ {warning}
        </span>
      ) : null}
    </div>
  );
}
