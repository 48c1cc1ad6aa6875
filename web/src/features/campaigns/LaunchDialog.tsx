import { useState } from "react";
import type { Campaign } from "../../api/client";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { formatCount, formatDateTime, formatMoney } from "../../lib/format";
import { channelLabel } from "../../lib/labels";
import { useCampaignPreview, useChannelOptions, useLaunchCampaign } from "./queries";

/** A `datetime-local` value (the browser's zone) as an ISO time with its offset, or null. */
export function localInputToIso(value: string): string | null {
  if (!value) return null;
  const when = new Date(value);
  return Number.isNaN(when.getTime()) ? null : when.toISOString();
}

/** `datetime-local` text for a moment, in the browser's zone. */
function toLocalInput(when: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}T${pad(when.getHours())}:${pad(when.getMinutes())}`;
}

/**
 * Approve & Launch: who will be reached, who is suppressed and why, what it costs, then launch now
 * or at a time. The server refuses a launch that reaches nobody; the dialog says so first.
 */
export function LaunchDialog({
  campaign,
  open,
  onClose,
  onLaunched,
}: {
  campaign: Campaign;
  open: boolean;
  onClose: () => void;
  onLaunched?: (campaign: Campaign) => void;
}) {
  const preview = useCampaignPreview(campaign.id, open);
  const audience = campaign.segment_id !== null ? { segment_id: campaign.segment_id } : { filter: campaign.filter };
  const options = useChannelOptions(open ? audience : null);
  const launch = useLaunchCampaign();
  const [when, setWhen] = useState<"now" | "later">("now");
  const [at, setAt] = useState(() => toLocalInput(new Date(Date.now() + 60 * 60_000)));
  const scheduledAt = when === "later" ? localInputToIso(at) : null;
  // Checked against the time the dialog last rendered for an edit; the server treats a past time as now.
  const [openedAt] = useState(() => Date.now());
  const laterInvalid = when === "later" && (!scheduledAt || new Date(scheduledAt).getTime() <= openedAt);
  const option = options.data?.options.find((o) => o.channel === campaign.channel);
  const reachable = preview.data?.reachable;
  const nobody = reachable === 0;

  const close = () => {
    launch.reset();
    onClose();
  };
  const confirm = () =>
    launch.mutate(
      { id: campaign.id, scheduledAt },
      {
        onSuccess: (launched) => {
          onClose();
          onLaunched?.(launched);
        },
      },
    );

  return (
    <ConfirmDialog
      open={open}
      title={`Launch “${campaign.name}”?`}
      confirmLabel={when === "later" ? "Schedule launch" : `Launch now to ${reachable === undefined ? "…" : formatCount(reachable)}`}
      busyLabel={when === "later" ? "Scheduling…" : "Launching…"}
      busy={launch.isPending}
      disabled={preview.isPending || nobody || laterInvalid}
      onConfirm={confirm}
      onClose={close}
    >
      {preview.isPending ? (
        <p className="muted">Counting who this reaches…</p>
      ) : preview.isError ? (
        <p className="field-error">{preview.error.message}</p>
      ) : (
        <dl className="facts" data-testid="launch-summary">
          <dt>Reachable on {channelLabel(campaign.channel)}</dt>
          <dd>
            <strong>{formatCount(preview.data.reachable)}</strong> of {formatCount(preview.data.audience_count)} in the
            audience
          </dd>
          <dt>Suppressed</dt>
          <dd>
            {formatCount(preview.data.suppressed.no_consent)} without consent for {channelLabel(campaign.channel)},{" "}
            {formatCount(preview.data.suppressed.no_contact)} without {campaign.channel === "email" ? "an email address" : "a phone number"}
          </dd>
          <dt>Estimated cost</dt>
          <dd>
            {option ? `${formatMoney(preview.data.reachable * option.cost_per_message)} (${formatMoney(option.cost_per_message)} a message, indicative)` : "—"}
          </dd>
          <dt>Policies</dt>
          <dd>Quiet hours and the frequency cap may hold some sends until they allow them; held sends are queued, not dropped.</dd>
        </dl>
      )}
      {nobody ? (
        <p className="field-error" role="alert" data-testid="zero-reach">
          Nobody can be reached on {channelLabel(campaign.channel)}: 0 of {formatCount(preview.data?.audience_count ?? 0)}{" "}
          have both contact details and consent. Choose another channel or audience.
        </p>
      ) : null}
      <fieldset className="launch-when">
        <legend className="subhead">When</legend>
        <label className="inline-field">
          <input type="radio" name="when" checked={when === "now"} onChange={() => setWhen("now")} /> Now
        </label>
        <label className="inline-field">
          <input type="radio" name="when" checked={when === "later"} onChange={() => setWhen("later")} /> At a time
        </label>
        {when === "later" ? (
          <label className="form__field">
            <span>Start at (your time zone)</span>
            <input
              className="input"
              type="datetime-local"
              aria-label="Start at"
              value={at}
              onChange={(e) => setAt(e.target.value)}
            />
            {laterInvalid ? (
              <span className="field-error">Pick a time in the future.</span>
            ) : scheduledAt ? (
              <span className="muted">
                Starts {formatDateTime(scheduledAt)}; the audience is counted again then. You can cancel until it starts.
              </span>
            ) : null}
          </label>
        ) : null}
      </fieldset>
      {launch.isError ? (
        <p className="field-error" role="alert">
          {launch.error.message}
        </p>
      ) : null}
    </ConfirmDialog>
  );
}
