import type { CampaignPreview } from "../../api/client";
import { formatCount } from "../../lib/format";

/** "first_name: 12 recipients have no value" — so the fallbacks can be checked before launch. */
export function MissingVariables({ counts }: { counts: Record<string, number> }) {
  const missing = Object.entries(counts).filter(([, n]) => n > 0);
  if (missing.length === 0) return <p className="ok-note">Every reachable recipient has a value for each variable.</p>;
  return (
    <div className="warning" role="note" data-testid="missing-variables">
      <strong>Missing values</strong>
      <ul className="item-list">
        {missing.map(([variable, n]) => (
          <li key={variable}>
            <code>{`{{${variable}}}`}</code>: {formatCount(n)} recipient{n === 1 ? "" : "s"} have no value (the fallback is
            used)
          </li>
        ))}
      </ul>
    </div>
  );
}

export function RenderedBubble({ subject, body, to }: { subject?: string | null; body: string; to?: string | null }) {
  return (
    <div className="bubble-message">
      {to ? <span className="bubble-message__to">To {to}</span> : null}
      {subject ? <strong className="bubble-message__subject">{subject}</strong> : null}
      <p className="bubble-message__body">{body}</p>
    </div>
  );
}

export function CampaignPreviewCard({ preview }: { preview: CampaignPreview }) {
  return (
    <section className="card" data-testid="campaign-preview">
      <h2 className="card__title">Preview for real recipients</h2>
      <div className="stat-row">
        <span>
          <strong>{formatCount(preview.audience_count)}</strong> in the audience
        </span>
        <span>
          <strong>{formatCount(preview.reachable)}</strong> reachable
        </span>
        <span>
          <strong>{formatCount(preview.suppressed.no_consent)}</strong> no consent
        </span>
        <span>
          <strong>{formatCount(preview.suppressed.no_contact)}</strong> no contact
        </span>
      </div>
      <MissingVariables counts={preview.missing_variable_counts} />
      {preview.samples.length === 0 ? (
        <p className="muted">No reachable recipient to render for.</p>
      ) : (
        <div className="samples">
          {preview.samples.map((sample) => (
            <div key={sample.customer_id} className="sample">
              <span className="subhead">{sample.customer_name ?? `Customer #${sample.customer_id}`}</span>
              <RenderedBubble subject={sample.subject} body={sample.body} to={sample.to} />
              {sample.missing_variables.length > 0 ? (
                <span className="field-error">No value for {sample.missing_variables.join(", ")}</span>
              ) : null}
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
