import { useState } from "react";
import type { Sequence, SequenceVersion } from "../../api/client";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorState, Loading } from "../../components/States";
import { formatCount, formatDateTime } from "../../lib/format";
import { useRollback, useSequenceDiff, useSequenceVersions } from "./queries";

export function VersionHistory({ sequence }: { sequence: Sequence }) {
  const versions = useSequenceVersions(sequence.id);
  const rollback = useRollback(sequence.id);
  const [target, setTarget] = useState<number | null>(null);
  return (
    <section className="card" data-testid="version-history">
      <h2 className="card__title">Version history</h2>
      {versions.isPending ? (
        <Loading label="Loading versions…" />
      ) : versions.isError ? (
        <ErrorState error={versions.error} title="Could not load versions" />
      ) : (
        <>
          <ol className="versions">
            {[...versions.data].reverse().map((version) => (
              <VersionEntry
                key={version.version}
                version={version}
                current={version.version === sequence.version}
                busy={rollback.isPending}
                onRollback={() => setTarget(version.version)}
              />
            ))}
          </ol>
          {rollback.isError ? <ErrorState error={rollback.error} title="Could not roll back" /> : null}
          <ConfirmDialog
            open={target !== null}
            title={`Roll back to version ${target ?? ""}?`}
            confirmLabel={`Roll back to v${target ?? ""}`}
            busyLabel="Rolling back…"
            busy={rollback.isPending}
            tone="danger"
            onConfirm={() => {
              if (target !== null) rollback.mutate(target, { onSettled: () => setTarget(null) });
            }}
            onClose={() => setTarget(null)}
          >
            <p>
              A new version {sequence.version + 1} is made with version {target ?? ""}&apos;s steps. Contacts already on a
              version keep its steps; new enrollments and{sequence.status === "live" ? " the live journey" : " the draft"}{" "}
              follow the rolled-back steps.
            </p>
          </ConfirmDialog>
          {versions.data.length > 1 ? <DiffView sequenceId={sequence.id} versions={versions.data} /> : null}
        </>
      )}
    </section>
  );
}

function VersionEntry({
  version,
  current,
  busy,
  onRollback,
}: {
  version: SequenceVersion;
  current: boolean;
  busy: boolean;
  onRollback: () => void;
}) {
  return (
    <li className={current ? "versions__item versions__item--current" : "versions__item"} data-testid={`version-${version.version}`}>
      <div className="versions__head">
        <strong>Version {version.version}</strong>
        {current ? <span className="pill pill--ok">current</span> : null}
        <span className="muted">
          {version.created_by} · {formatDateTime(version.created_at)} · {formatCount(version.contacts)} contacts on it
        </span>
        {current ? null : (
          <button type="button" className="button button--small" disabled={busy} onClick={onRollback}>
            Roll back to v{version.version}
          </button>
        )}
      </div>
      {version.changes.length > 0 ? (
        <ul className="item-list">
          {version.changes.map((change) => (
            <li key={change}>{change}</li>
          ))}
        </ul>
      ) : (
        <span className="muted">{version.version === 1 ? "First version." : "No step changes."}</span>
      )}
    </li>
  );
}

function DiffView({ sequenceId, versions }: { sequenceId: number; versions: SequenceVersion[] }) {
  const numbers = versions.map((v) => v.version);
  const latest = Math.max(...numbers);
  const [from, setFrom] = useState(numbers.includes(latest - 1) ? latest - 1 : Math.min(...numbers));
  const [to, setTo] = useState(latest);
  const diff = useSequenceDiff(sequenceId, from, to);
  const picker = (label: string, value: number, set: (v: number) => void) => (
    <label className="inline-field">
      {label}
      <select className="input" aria-label={`Diff ${label.toLowerCase()}`} value={value} onChange={(e) => set(Number(e.target.value))}>
        {numbers.map((n) => (
          <option key={n} value={n}>
            v{n}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div className="diff" data-testid="diff">
      <div className="toolbar">
        <span className="subhead">Compare</span>
        {picker("From", from, setFrom)}
        {picker("To", to, setTo)}
      </div>
      {from === to ? (
        <p className="muted">Pick two different versions.</p>
      ) : diff.isPending ? (
        <Loading label="Comparing…" />
      ) : diff.isError ? (
        <ErrorState error={diff.error} title="Could not compare" />
      ) : diff.data.changes.length === 0 ? (
        <p className="muted">
          v{from} and v{to} have the same steps.
        </p>
      ) : (
        <ul className="diff__list">
          {diff.data.changes.map((change) => (
            <li key={change}>{change}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
