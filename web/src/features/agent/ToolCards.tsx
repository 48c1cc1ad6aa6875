import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { StatusPill } from "../../components/StatusPill";
import { formatCount, formatMoney } from "../../lib/format";
import { channelLabel, formatPercent } from "../../lib/labels";
import { LaunchDialog } from "../campaigns/LaunchDialog";
import { useCampaign } from "../campaigns/queries";
import { MissingVariables, RenderedBubble } from "../campaigns/MessagePreview";
import { useLaunchSequence, useSequence } from "../sequences/queries";
import type { ToolResult } from "../../api/client";
import {
  type AudienceResult,
  type ChannelResult,
  type MessageResult,
  resultOf,
  type StagedCampaignResult,
  type StagedSequenceResult,
  toolError,
} from "./types";

const TOOL_LABELS: Record<string, string> = {
  list_fields: "Looked at the audience fields",
  field_values: "Looked up values in the data",
  preview_audience: "Audience",
  create_segment: "Saved a segment",
  recommend_channel: "Channel",
  draft_message: "Message",
  stage_campaign: "Draft campaign",
  stage_sequence: "Draft sequence",
  get_campaign_performance: "Campaign performance",
};

export function toolLabel(tool: string): string {
  return TOOL_LABELS[tool] ?? tool.replace(/_/g, " ");
}

export function ToolCard({
  tool,
  args,
  result,
  pending,
  settled = true,
}: {
  tool: string;
  args: Record<string, unknown>;
  result: ToolResult | undefined;
  pending: boolean;
  /** False to hold the staged draft's buttons back (the CRM now saves a draft as its step streams). */
  settled?: boolean;
}) {
  if (pending) {
    return (
      <div className="tool-card tool-card--pending" data-testid="tool-card" data-tool={tool}>
        <span className="spinner" aria-hidden="true" /> {toolLabel(tool)}…
      </div>
    );
  }
  const error = toolError(result);
  if (error) {
    return (
      <div className="tool-card tool-card--error" data-testid="tool-card" data-tool={tool}>
        <span className="tool-card__label">{toolLabel(tool)}</span>
        <span>The tool reported a problem: {error}</span>
      </div>
    );
  }
  const body = renderBody(tool, args, result, settled);
  return (
    <div className={`tool-card tool-card--${tool}`} data-testid="tool-card" data-tool={tool}>
      <span className="tool-card__label">{toolLabel(tool)}</span>
      {body}
    </div>
  );
}

function renderBody(tool: string, args: Record<string, unknown>, result: ToolResult | undefined, settled: boolean) {
  const audience = resultOf(result, "audience");
  if (audience) return <AudienceBody audience={audience} />;
  const channel = resultOf(result, "channel");
  if (channel) return <ChannelBody result={channel} />;
  const message = resultOf(result, "message");
  if (message) return <MessageBody result={message} channel={typeof args.channel === "string" ? args.channel : ""} />;
  const campaign = resultOf(result, "staged_campaign");
  if (campaign) return <StagedCampaignBody staged={campaign} settled={settled} />;
  const sequence = resultOf(result, "staged_sequence");
  if (sequence) return <StagedSequenceBody staged={sequence} settled={settled} />;
  return <GenericBody tool={tool} result={result} />;
}

function AudienceBody({ audience }: { audience: AudienceResult }) {
  return (
    <>
      <p>
        <strong className="tool-card__big" data-testid="audience-count">
          {formatCount(audience.count)}
        </strong>{" "}
        customers
      </p>
      <p className="muted">{audience.explanation}</p>
      {audience.sample.length > 0 ? (
        <p className="tool-card__sample">
          e.g.{" "}
          {audience.sample
            .slice(0, 4)
            .map((person) => [person.name ?? "Unnamed", person.city].filter(Boolean).join(", "))
            .join(" · ")}
        </p>
      ) : null}
    </>
  );
}

function ChannelBody({ result }: { result: ChannelResult }) {
  const max = Math.max(1, result.audience);
  return (
    <>
      <p>
        Recommended: <strong>{channelLabel(result.recommended)}</strong>
      </p>
      <p className="muted">{result.reason}</p>
      <table className="table table--compact channel-table">
        <thead>
          <tr>
            <th>Channel</th>
            <th>Reachable</th>
            <th className="num">Cost</th>
            <th className="num">Expected revenue</th>
          </tr>
        </thead>
        <tbody>
          {result.options.map((option) => (
            <tr key={option.channel} className={option.channel === result.recommended ? "is-recommended" : undefined}>
              <td>{channelLabel(option.channel)}</td>
              <td>
                <span className="reach-bar" title={`${formatPercent(option.reachable_share, 0)} of the audience`}>
                  <span className="reach-bar__fill" style={{ width: `${(option.reachable / max) * 100}%` }} />
                </span>
                <span className="reach-bar__value">{formatCount(option.reachable)}</span>
              </td>
              <td className="num">
                {formatMoney(option.estimated_cost)}
                <span className="cell-sub">₹{option.cost_per_message}/msg</span>
              </td>
              <td className="num">{formatMoney(option.expected_revenue)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function MessageBody({ result, channel }: { result: MessageResult; channel: string }) {
  if (!result.valid) {
    return <p className="field-error">The template was rejected: {result.error ?? "invalid"}</p>;
  }
  const sample = result.rendered_sample;
  return (
    <>
      {channel ? <span className="muted">{channelLabel(channel)}</span> : null}
      {sample ? (
        <>
          <span className="muted">As {sample.customer ?? "a customer"} would see it:</span>
          <RenderedBubble subject={channel === "email" || sample.subject ? sample.subject : null} body={sample.body} />
        </>
      ) : (
        <span className="muted">Template checked: variables {result.variables?.join(", ") || "none"}.</span>
      )}
      {result.missing_variable_counts ? <MissingVariables counts={result.missing_variable_counts} /> : null}
    </>
  );
}

const WAIT_TITLE = "Available when the copilot finishes this turn (the draft is saved then)";

function StagedCampaignBody({ staged, settled }: { staged: StagedCampaignResult; settled: boolean }) {
  const navigate = useNavigate();
  const campaign = useCampaign(staged.campaign_id, settled);
  const [launching, setLaunching] = useState(false);
  const status = campaign.data?.status ?? staged.status;
  const isDraft = status === "draft";
  return (
    <div data-testid="staged-campaign">
      <p>
        <strong>{campaign.data?.name ?? `Campaign #${staged.campaign_id}`}</strong> <StatusPill status={status} />
      </p>
      <p>
        <strong data-testid="staged-audience">{formatCount(campaign.data?.audience_count ?? staged.audience_count)}</strong>{" "}
        customers on {channelLabel(campaign.data?.channel ?? staged.channel)}
      </p>
      <p className="muted">{isDraft ? staged.note : "Already launched."}</p>
      {campaign.data && isDraft ? (
        <LaunchDialog
          campaign={campaign.data}
          open={launching}
          onClose={() => setLaunching(false)}
          onLaunched={() => void navigate(`/campaigns/${staged.campaign_id}`)}
        />
      ) : null}
      <div className="toolbar">
        {isDraft ? (
          <>
            <button
              type="button"
              className="button button--primary"
              disabled={!settled || !campaign.data}
              title={settled ? undefined : WAIT_TITLE}
              onClick={() => setLaunching(true)}
            >
              Approve &amp; Launch…
            </button>
            <button
              type="button"
              className="button"
              disabled={!settled}
              title={settled ? undefined : WAIT_TITLE}
              onClick={() => void navigate(`/campaigns/${staged.campaign_id}?edit=1`)}
            >
              Edit
            </button>
          </>
        ) : (
          <button type="button" className="button" onClick={() => void navigate(`/campaigns/${staged.campaign_id}`)}>
            View results
          </button>
        )}
      </div>
    </div>
  );
}

function StagedSequenceBody({ staged, settled }: { staged: StagedSequenceResult; settled: boolean }) {
  const navigate = useNavigate();
  const sequence = useSequence(staged.sequence_id, settled);
  const launch = useLaunchSequence();
  const status = sequence.data?.status ?? staged.status;
  const timeline = sequence.data?.timeline ?? staged.timeline;
  return (
    <div data-testid="staged-sequence">
      <p>
        <strong>{sequence.data?.name ?? `Sequence #${staged.sequence_id}`}</strong> <StatusPill status={status} />
        {sequence.data ? <span className="muted"> · {formatCount(sequence.data.audience_count)} customers</span> : null}
      </p>
      <ol className="mini-timeline">
        {timeline.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ol>
      {launch.isError ? <p className="field-error">{launch.error.message}</p> : null}
      <div className="toolbar">
        {status === "draft" ? (
          <button
            type="button"
            className="button button--primary"
            disabled={launch.isPending || !settled}
            title={settled ? undefined : WAIT_TITLE}
            onClick={() =>
              launch.mutate(staged.sequence_id, { onSuccess: () => void navigate(`/sequences/${staged.sequence_id}`) })
            }
          >
            {launch.isPending ? "Launching…" : "Launch sequence"}
          </button>
        ) : null}
        <button
          type="button"
          className="button"
          disabled={!settled}
          title={settled ? undefined : WAIT_TITLE}
          onClick={() => void navigate(`/sequences/${staged.sequence_id}`)}
        >
          {status === "draft" ? "Edit" : "View results"}
        </button>
      </div>
    </div>
  );
}

function summaryOf(result: ToolResult | undefined): string | null {
  switch (result?.kind) {
    case "fields":
      return `${result.fields.length} fields available.`;
    case "field_values":
      return `${result.field}: ${result.values.slice(0, 8).join(", ")}${result.values.length > 8 ? "…" : ""}`;
    case "segment":
      return `“${result.name}” — ${formatCount(result.count)} customers.`;
    case "campaign_performance":
      return `${result.name}: ${formatCount(result.funnel.sent)} sent, ${formatCount(result.funnel.delivered)} delivered, ${formatCount(result.funnel.converted)} converted.`;
    default:
      return null;
  }
}

function GenericBody({ tool, result }: { tool: string; result: ToolResult | undefined }) {
  const summary = summaryOf(result);
  return (
    <>
      {summary ? <p className="muted">{summary}</p> : null}
      <details className="json" data-tool={tool}>
        <summary>Details</summary>
        <pre>{JSON.stringify(result, null, 2)}</pre>
      </details>
    </>
  );
}
