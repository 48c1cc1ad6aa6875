import { type SubmitEvent, useState } from "react";
import type { Campaign, Channel } from "../../api/client";
import { CHANNELS, channelLabel } from "../../lib/labels";
import { useUpdateCampaign } from "./queries";

/** Edits a draft's name, channel and message; the server checks the template's variables. */
export function CampaignEditForm({ campaign, onDone }: { campaign: Campaign; onDone: () => void }) {
  const [name, setName] = useState(campaign.name);
  const [channel, setChannel] = useState<Channel>(campaign.channel);
  const [subject, setSubject] = useState(campaign.message.subject ?? "");
  const [body, setBody] = useState(campaign.message.body);
  const update = useUpdateCampaign(campaign.id);

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    update.mutate(
      {
        name: name.trim(),
        channel,
        message: { subject: channel === "email" ? subject.trim() || null : null, body },
      },
      { onSuccess: onDone },
    );
  };

  return (
    <form className="card form" onSubmit={submit} data-testid="campaign-edit">
      <h2 className="card__title">Edit draft</h2>
      <label className="form__field">
        <span>Name</span>
        <input className="input" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
      </label>
      <label className="form__field">
        <span>Channel</span>
        <select className="input" value={channel} onChange={(e) => setChannel(e.target.value as Channel)}>
          {CHANNELS.map((c) => (
            <option key={c} value={c}>
              {channelLabel(c)}
            </option>
          ))}
        </select>
      </label>
      {channel === "email" ? (
        <label className="form__field">
          <span>Subject</span>
          <input className="input" value={subject} onChange={(e) => setSubject(e.target.value)} maxLength={300} />
        </label>
      ) : null}
      <label className="form__field">
        <span>Message</span>
        <textarea
          className="input textarea"
          value={body}
          onChange={(e) => setBody(e.target.value)}
          rows={6}
          required
          maxLength={4000}
        />
        <span className="muted">
          Liquid variables with fallbacks, e.g. <code>{'{{ first_name | default: "there" }}'}</code>,{" "}
          <code>{"{{ last_item }}"}</code>, <code>{"{{ city }}"}</code>.
        </span>
      </label>
      {update.isError ? (
        <p className="field-error" role="alert">
          {update.error.message}
        </p>
      ) : null}
      <div className="toolbar">
        <button type="submit" className="button button--primary" disabled={update.isPending || !body.trim()}>
          {update.isPending ? "Saving…" : "Save draft"}
        </button>
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
