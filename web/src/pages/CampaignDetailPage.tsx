import { useState } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";
import type { Campaign } from "../api/client";
import { PageHeader } from "../components/PageHeader";
import { ActivityList } from "../features/audit/ActivityList";
import { ErrorState, Loading } from "../components/States";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { StatusPill } from "../components/StatusPill";
import { AudienceFilterCard } from "../features/campaigns/AudienceFilterCard";
import { CampaignEditForm } from "../features/campaigns/CampaignEditForm";
import { CampaignLiveStats, LiveBadge } from "../features/campaigns/CampaignLiveStats";
import { CreatedBy } from "../features/campaigns/CampaignTable";
import { LaunchDialog } from "../features/campaigns/LaunchDialog";
import { CampaignPreviewCard, RenderedBubble } from "../features/campaigns/MessagePreview";
import { ExperimentPanel } from "../features/experiments/ExperimentPanel";
import {
  useCampaign,
  useCampaignPreview,
  useCancelCampaign,
  useLiveCampaignStats,
} from "../features/campaigns/queries";
import { TestSendCard } from "../features/campaigns/TestSendCard";
import { formatCount, formatDateTime } from "../lib/format";
import { channelLabel } from "../lib/labels";

export default function CampaignDetailPage() {
  const id = Number(useParams().campaignId);
  const campaign = useCampaign(id);
  return (
    <>
      <Link to="/campaigns" className="back-link">
        ← Campaigns
      </Link>
      {campaign.isPending ? (
        <Loading label="Loading campaign…" />
      ) : campaign.isError ? (
        <ErrorState error={campaign.error} title="Could not load this campaign" />
      ) : (
        <CampaignDetail campaign={campaign.data} />
      )}
    </>
  );
}

function CampaignDetail({ campaign }: { campaign: Campaign }) {
  const [params, setParams] = useSearchParams();
  const isDraft = campaign.status === "draft";
  const isScheduled = campaign.status === "scheduled";
  const notStarted = isDraft || isScheduled;
  const editing = isDraft && params.get("edit") === "1";
  const [launching, setLaunching] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const cancel = useCancelCampaign();
  const preview = useCampaignPreview(campaign.id, notStarted);
  const { stats, mode } = useLiveCampaignStats(campaign.id, !notStarted);
  const setEditing = (on: boolean) => setParams(on ? { edit: "1" } : {}, { replace: true });

  return (
    <>
      <PageHeader
        title={campaign.name}
        subtitle={
          <span className="header-meta">
            <StatusPill status={campaign.status} />
            <span>{channelLabel(campaign.channel)}</span>
            <span>· {formatCount(campaign.audience_count)} customers</span>
            <CreatedBy by={campaign.created_by} />
            {campaign.scheduled_at && isScheduled ? (
              <span data-testid="scheduled-at">
                · starts {formatDateTime(campaign.scheduled_at)}
                {campaign.scheduled_by ? ` (scheduled by ${campaign.scheduled_by})` : ""}
              </span>
            ) : null}
            {campaign.launched_at ? (
              <span>
                · launched {formatDateTime(campaign.launched_at)}
                {campaign.launched_by ? ` by ${campaign.launched_by}` : ""}
              </span>
            ) : null}
            <LiveBadge mode={mode} />
          </span>
        }
        actions={
          isDraft ? (
            <>
              {editing ? null : (
                <button type="button" className="button" onClick={() => setEditing(true)}>
                  Edit
                </button>
              )}
              <button
                type="button"
                className="button button--primary"
                disabled={editing}
                onClick={() => setLaunching(true)}
              >
                Approve &amp; Launch…
              </button>
            </>
          ) : isScheduled ? (
            <button type="button" className="button button--danger-outline" onClick={() => setCancelling(true)}>
              Cancel scheduled launch…
            </button>
          ) : null
        }
      />
      {isDraft ? <LaunchDialog campaign={campaign} open={launching} onClose={() => setLaunching(false)} /> : null}
      <ConfirmDialog
        open={cancelling}
        title="Cancel the scheduled launch?"
        confirmLabel="Cancel launch"
        busyLabel="Cancelling…"
        busy={cancel.isPending}
        tone="danger"
        onConfirm={() => cancel.mutate(campaign.id, { onSuccess: () => setCancelling(false) })}
        onClose={() => {
          cancel.reset();
          setCancelling(false);
        }}
      >
        <p>
          “{campaign.name}” goes back to being a draft: nothing is sent at {formatDateTime(campaign.scheduled_at)}. You
          can edit it and launch or schedule it again.
        </p>
        {cancel.isError ? (
          <p className="field-error" role="alert">
            {cancel.error.message}
          </p>
        ) : null}
      </ConfirmDialog>
      {isDraft ? (
        <div className="notice">
          This is a draft. Nothing has been sent; it goes out only when you press <strong>Approve &amp; Launch</strong>.
        </div>
      ) : isScheduled ? (
        <div className="notice" data-testid="scheduled-notice">
          Scheduled: nothing has been sent yet. It starts at <strong>{formatDateTime(campaign.scheduled_at)}</strong>,
          with the audience as it is then. Cancel to edit it.
        </div>
      ) : null}

      {notStarted ? null : stats.isPending ? (
        <Loading label="Loading stats…" />
      ) : stats.isError ? (
        <ErrorState error={stats.error} title="Could not load stats" />
      ) : (
        <>
          <CampaignLiveStats campaign={campaign} stats={stats.data} />
          <ExperimentPanel campaign={campaign} stats={stats.data} />
        </>
      )}

      <div className="two-col">
        {editing ? (
          <CampaignEditForm key={campaign.id} campaign={campaign} onDone={() => setEditing(false)} />
        ) : (
          <section className="card" data-testid="campaign-message">
            <h2 className="card__title">Message · {channelLabel(campaign.channel)}</h2>
            <RenderedBubble subject={campaign.message.subject} body={campaign.message.body} />
            {campaign.template_variables.length > 0 ? (
              <p className="muted">Variables: {campaign.template_variables.join(", ")}</p>
            ) : null}
            {campaign.channel_reason ? (
              <p>
                <span className="subhead">Why {channelLabel(campaign.channel)}</span>
                <br />
                {campaign.channel_reason}
              </p>
            ) : null}
          </section>
        )}
        <AudienceFilterCard
          explanation={campaign.explanation}
          filter={campaign.filter}
          audienceCount={campaign.audience_count}
          segmentId={campaign.segment_id}
        />
      </div>

      {notStarted ? <TestSendCard campaign={campaign} /> : null}
      {notStarted ? (
        preview.isPending ? (
          <Loading label="Rendering the message for real recipients…" />
        ) : preview.isError ? (
          <ErrorState error={preview.error} title="Could not preview the message" />
        ) : (
          <CampaignPreviewCard preview={preview.data} />
        )
      ) : null}
      <ActivityList entityType="campaign" entityId={campaign.id} />
    </>
  );
}
