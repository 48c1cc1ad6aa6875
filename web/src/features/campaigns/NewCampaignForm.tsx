import { type SubmitEvent, useMemo, useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import type { Channel, ChannelOptions, ChannelOptionsRequest, SegmentFields, SegmentFilter } from "../../api/client";
import { formatCount, formatMoney } from "../../lib/format";
import { channelLabel, formatPercent } from "../../lib/labels";
import { useDebouncedValue } from "../../lib/useDebouncedValue";
import { parseNodeError } from "../segments/builder/errorPath";
import { GroupEditor } from "../segments/builder/GroupEditor";
import { countConditions, type DraftGroup, newGroup, toFilter } from "../segments/draft";
import { useAudiencePreview, useSegments } from "../segments/queries";
import { useChannelOptions, useCreateCampaign } from "./queries";

type AudienceMode = "segment" | "filter";

/**
 * A campaign without the copilot: an audience (a saved segment, kept live until launch, or a filter
 * built here), a channel chosen with the copilot's comparison, and the message; saved as a draft.
 */
export function NewCampaignForm({ catalog }: { catalog: SegmentFields }) {
  const navigate = useNavigate();
  const segments = useSegments();
  const create = useCreateCampaign();
  const [name, setName] = useState("");
  const [mode, setMode] = useState<AudienceMode>("segment");
  const [segmentId, setSegmentId] = useState<number | null>(null);
  const [root, setRoot] = useState<DraftGroup>(() => newGroup("all"));
  const [picked, setPicked] = useState<Channel | null>(null);
  const [subject, setSubject] = useState("");
  const [body, setBody] = useState("");

  const fieldMap = useMemo(() => new Map(catalog.fields.map((field) => [field.name, field])), [catalog]);
  const filterJson = JSON.stringify(toFilter(root, fieldMap));
  const settledJson = useDebouncedValue(filterJson, 400);
  const settled = useMemo(() => JSON.parse(settledJson) as SegmentFilter, [settledJson]);
  const filterPreview = useAudiencePreview(settled, 0);
  const nodeError = filterPreview.isError ? parseNodeError(filterPreview.error.message) : null;

  const audience: ChannelOptionsRequest | null =
    mode === "segment" ? (segmentId === null ? null : { segment_id: segmentId }) : filterPreview.isError ? null : { filter: settled };
  const options = useChannelOptions(audience);
  const channel: Channel = picked ?? options.data?.recommended ?? "whatsapp";

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!audience) return;
    const recommended = options.data?.recommended === channel;
    create.mutate(
      {
        name: name.trim(),
        ...(mode === "segment" && segmentId !== null ? { segment_id: segmentId } : { filter: settled }),
        channel,
        message: { subject: channel === "email" ? subject.trim() || null : null, body },
        holdout_percent: 0,
        channel_reason: recommended ? (options.data?.reason ?? null) : `Chosen by the operator over ${channelLabel(options.data?.recommended ?? channel)}.`,
      },
      { onSuccess: (campaign) => void navigate(`/campaigns/${campaign.id}`) },
    );
  };

  return (
    <form className="new-campaign" onSubmit={submit} data-testid="new-campaign">
      <section className="card form">
        <h2 className="card__title">1 · Name</h2>
        <label className="form__field">
          <span>Campaign name</span>
          <input className="input" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
        </label>
      </section>

      <section className="card form">
        <h2 className="card__title">2 · Audience</h2>
        <div className="launch-when" role="radiogroup" aria-label="Audience">
          <label className="inline-field">
            <input type="radio" name="audience" checked={mode === "segment"} onChange={() => setMode("segment")} /> A saved
            segment
          </label>
          <label className="inline-field">
            <input type="radio" name="audience" checked={mode === "filter"} onChange={() => setMode("filter")} /> Build a
            filter
          </label>
        </div>
        {mode === "segment" ? (
          <label className="form__field">
            <span>Segment</span>
            <select
              className="input"
              aria-label="Segment"
              value={segmentId ?? ""}
              onChange={(e) => setSegmentId(e.target.value ? Number(e.target.value) : null)}
              required
            >
              <option value="">Choose a saved segment…</option>
              {(segments.data ?? []).map((segment) => (
                <option key={segment.id} value={segment.id}>
                  {segment.name}
                </option>
              ))}
            </select>
            <span className="muted">
              Kept live: the segment is evaluated again when the campaign launches.{" "}
              {segments.data?.length === 0 ? <Link to="/segments/new">Save a segment first</Link> : null}
            </span>
          </label>
        ) : (
          <>
            <GroupEditor
              group={root}
              path=""
              depth={1}
              limits={{ maxDepth: catalog.max_depth, canAddCondition: countConditions(root) < catalog.max_conditions }}
              fields={catalog.fields}
              error={nodeError}
              onChange={setRoot}
            />
            <p className="muted" aria-live="polite">
              {filterPreview.data ? (
                <>
                  <strong>{formatCount(filterPreview.data.count)}</strong> customers: {filterPreview.data.explanation}
                </>
              ) : filterPreview.isError ? (
                <span className="field-error">{filterPreview.error.message}</span>
              ) : (
                "Counting…"
              )}
            </p>
          </>
        )}
      </section>

      <section className="card form">
        <h2 className="card__title">3 · Channel</h2>
        {audience === null ? (
          <p className="muted">Choose an audience to compare the channels.</p>
        ) : options.isPending ? (
          <p className="muted">Comparing channels…</p>
        ) : options.isError ? (
          <p className="field-error">{options.error.message}</p>
        ) : (
          <ChannelChoice options={options.data} value={channel} onChange={setPicked} />
        )}
      </section>

      <section className="card form">
        <h2 className="card__title">4 · Message</h2>
        {channel === "email" ? (
          <label className="form__field">
            <span>Subject</span>
            <input className="input" value={subject} onChange={(e) => setSubject(e.target.value)} maxLength={300} required />
          </label>
        ) : null}
        <label className="form__field">
          <span>Message</span>
          <textarea
            className="input textarea"
            aria-label="Message"
            value={body}
            onChange={(e) => setBody(e.target.value)}
            rows={6}
            required
            maxLength={4000}
          />
          <span className="muted">
            Variables with fallbacks, e.g. <code>{'{{ first_name | default: "there" }}'}</code>,{" "}
            <code>{"{{ last_item }}"}</code>, <code>{"{{ city }}"}</code>. The draft shows it rendered for real
            recipients, and you can send yourself a test before launching.
          </span>
        </label>
      </section>

      {create.isError ? (
        <p className="field-error" role="alert">
          {create.error.message}
        </p>
      ) : null}
      <div className="toolbar">
        <button type="submit" className="button button--primary" disabled={create.isPending || !audience || !body.trim()}>
          {create.isPending ? "Saving…" : "Save draft"}
        </button>
        <Link to="/campaigns" className="button">
          Cancel
        </Link>
      </div>
    </form>
  );
}

function ChannelChoice({
  options,
  value,
  onChange,
}: {
  options: ChannelOptions;
  value: Channel;
  onChange: (channel: Channel) => void;
}) {
  return (
    <div className="channel-choice" role="radiogroup" aria-label="Channel">
      <p className="muted">
        {formatCount(options.audience)} in the audience. {options.reason}
      </p>
      {options.options.map((option) => (
        <label
          key={option.channel}
          className={option.channel === value ? "channel-choice__option channel-choice__option--on" : "channel-choice__option"}
        >
          <input
            type="radio"
            name="channel"
            value={option.channel}
            checked={option.channel === value}
            onChange={() => onChange(option.channel)}
            aria-label={channelLabel(option.channel)}
          />
          <span>
            <strong>{channelLabel(option.channel)}</strong>
            {option.channel === options.recommended ? <span className="chip chip--agent">recommended</span> : null}
            <br />
            <span className="muted">
              reaches {formatCount(option.reachable)} ({formatPercent(option.reachable_share, 0)}) · ~
              {formatMoney(option.estimated_cost)}
            </span>
          </span>
          <span className="muted">≈ {formatMoney(option.expected_revenue)} expected</span>
        </label>
      ))}
    </div>
  );
}
