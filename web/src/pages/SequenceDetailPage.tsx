import { useState } from "react";
import { Link, useParams } from "react-router-dom";
import type { Sequence } from "../api/client";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { PageHeader } from "../components/PageHeader";
import { ActivityList } from "../features/audit/ActivityList";
import { ErrorState, Loading } from "../components/States";
import { StatusPill } from "../components/StatusPill";
import { AudienceFilterCard } from "../features/campaigns/AudienceFilterCard";
import { CreatedBy } from "../features/campaigns/CampaignTable";
import { useLaunchSequence, useSequence, useSequenceStats } from "../features/sequences/queries";
import { StepStatsTable } from "../features/sequences/StepStatsTable";
import { StepsEditor } from "../features/sequences/StepsEditor";
import { VersionHistory } from "../features/sequences/VersionHistory";
import { formatCount, formatDateTime } from "../lib/format";

export default function SequenceDetailPage() {
  const id = Number(useParams().sequenceId);
  const sequence = useSequence(id);
  return (
    <>
      <Link to="/sequences" className="back-link">
        ← Sequences
      </Link>
      {sequence.isPending ? (
        <Loading label="Loading sequence…" />
      ) : sequence.isError ? (
        <ErrorState error={sequence.error} title="Could not load this sequence" />
      ) : (
        <SequenceDetail sequence={sequence.data} />
      )}
    </>
  );
}

function SequenceDetail({ sequence }: { sequence: Sequence }) {
  const launch = useLaunchSequence();
  const [confirmLaunch, setConfirmLaunch] = useState(false);
  const live = sequence.status === "live";
  const stats = useSequenceStats(sequence.id, live);
  const [savedVersion, setSavedVersion] = useState<number | null>(null);
  const statsCard = (
    <section className="card" data-testid="sequence-stats">
      <div className="card__head">
        <h2 className="card__title">Per-step results</h2>
        {live ? (
          <span className="badge badge--ok">
            <span className="dot dot--pulse" aria-hidden="true" /> refreshing every 2 s
          </span>
        ) : null}
      </div>
      {stats.isPending ? (
        <Loading label="Loading step stats…" />
      ) : stats.isError ? (
        <ErrorState error={stats.error} title="Could not load step stats" />
      ) : (
        <StepStatsTable stats={stats.data} />
      )}
    </section>
  );
  return (
    <>
      <PageHeader
        title={sequence.name}
        subtitle={
          <span className="header-meta">
            <StatusPill status={sequence.status} />
            <span className="pill" data-testid="current-version">
              version {sequence.version}
            </span>
            <span>· {formatCount(sequence.audience_count)} customers</span>
            <CreatedBy by={sequence.created_by} />
            <span>· {sequence.exit_on_conversion ? "exits when they buy" : "runs to the end even after a purchase"}</span>
            {sequence.launched_at ? <span>· launched {formatDateTime(sequence.launched_at)}</span> : null}
          </span>
        }
        actions={
          sequence.status === "draft" ? (
            <button
              type="button"
              className="button button--primary"
              disabled={launch.isPending}
              onClick={() => setConfirmLaunch(true)}
            >
              Launch sequence…
            </button>
          ) : null
        }
      />
      <ConfirmDialog
        open={confirmLaunch}
        title={`Launch “${sequence.name}”?`}
        confirmLabel="Launch sequence"
        busyLabel="Launching…"
        busy={launch.isPending}
        onConfirm={() => launch.mutate(sequence.id, { onSettled: () => setConfirmLaunch(false) })}
        onClose={() => setConfirmLaunch(false)}
      >
        <p>
          {formatCount(sequence.audience_count)} customers match its audience now; each is enrolled and gets step 1 as
          soon as quiet hours and the frequency cap allow, then the later steps on their delays. People who join the
          audience later are enrolled too. A launched sequence cannot be unlaunched.
        </p>
      </ConfirmDialog>
      {launch.isError ? <ErrorState error={launch.error} title="Could not launch" /> : null}
      {sequence.status === "draft" ? (
        <div className="notice">
          This is a draft: no one is enrolled and nothing is sent until you press <strong>Launch sequence</strong>.
        </div>
      ) : null}

      {live ? statsCard : null}
      <div className="sequence-layout">
        <StepsEditor key={sequence.version} sequence={sequence} savedVersion={savedVersion} onSaved={setSavedVersion} />
        <div className="sequence-layout__side">
          <section className="card" data-testid="plan">
            <h2 className="card__title">The plan, in plain English</h2>
            <ol className="item-list">
              {sequence.timeline.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ol>
          </section>
          <AudienceFilterCard
            explanation={sequence.explanation}
            filter={sequence.filter}
            audienceCount={sequence.audience_count}
            segmentId={sequence.segment_id}
          />
        </div>
      </div>
      {live ? null : statsCard}
      <VersionHistory sequence={sequence} />
      <ActivityList entityType="sequence" entityId={sequence.id} />
    </>
  );
}
