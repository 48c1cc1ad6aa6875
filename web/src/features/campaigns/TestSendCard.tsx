import { type SubmitEvent, useState } from "react";
import type { Campaign } from "../../api/client";
import { channelLabel } from "../../lib/labels";
import { RenderedBubble } from "./MessagePreview";
import { useTestSend } from "./queries";

/** Sends one rendered message to an address the operator types; it never counts in the stats. */
export function TestSendCard({ campaign }: { campaign: Campaign }) {
  const [to, setTo] = useState("");
  const send = useTestSend(campaign.id);
  const email = campaign.channel === "email";
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    send.mutate(to.trim());
  };
  return (
    <section className="card" data-testid="test-send">
      <h2 className="card__title">Send a test</h2>
      <p className="muted">
        One {channelLabel(campaign.channel)} message, rendered as a real recipient would get it, to the address you type.
        Tests never count in the campaign&apos;s stats.
      </p>
      <form className="inline-form" onSubmit={submit}>
        <input
          className="input"
          type={email ? "email" : "tel"}
          aria-label={email ? "Test email address" : "Test phone number"}
          placeholder={email ? "you@brand.com" : "+91 98765 43210"}
          value={to}
          onChange={(e) => setTo(e.target.value)}
          required
        />
        <button type="submit" className="button" disabled={send.isPending || !to.trim()}>
          {send.isPending ? "Sending…" : "Send test"}
        </button>
      </form>
      {send.isError ? (
        <p className="field-error" role="alert">
          {send.error.message}
        </p>
      ) : null}
      {send.data ? (
        <div className="ok-note" role="status">
          Test sent to {send.data.to}
          {send.data.rendered_for ? ` (rendered for ${send.data.rendered_for})` : ""}.
          <RenderedBubble subject={send.data.subject} body={send.data.body} />
        </div>
      ) : null}
    </section>
  );
}
