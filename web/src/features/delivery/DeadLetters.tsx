import { useState } from "react";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorState } from "../../components/States";
import { formatCount } from "../../lib/format";
import { readNumber } from "./channelStats";
import { useRedriveDeadLetters } from "./queries";

/** Callback batches the channel service gave up on, and the button that queues them again. */
export function DeadLetters({ batches, events }: { batches: number; events: number }) {
  const redrive = useRedriveDeadLetters();
  const [confirming, setConfirming] = useState(false);
  return (
    <section className="card dead-letters">
      <h2 className="card__title">Dead letters</h2>
      <p className="dead-letters__count">
        <strong>{formatCount(batches)}</strong> batches · <strong>{formatCount(events)}</strong> events
      </p>
      <p className="muted">
        Receipt callbacks that exhausted their retries. Redrive queues them for delivery again.
      </p>
      <button
        type="button"
        className="button button--primary"
        disabled={batches === 0 || redrive.isPending}
        onClick={() => setConfirming(true)}
      >
        {redrive.isPending ? "Redriving…" : "Redrive dead letters…"}
      </button>
      <ConfirmDialog
        open={confirming}
        title="Redrive the dead letters?"
        confirmLabel={`Redrive ${formatCount(batches)} batches`}
        busyLabel="Redriving…"
        busy={redrive.isPending}
        onConfirm={() => redrive.mutate(undefined, { onSettled: () => setConfirming(false) })}
        onClose={() => setConfirming(false)}
      >
        <p>
          {formatCount(batches)} batches ({formatCount(events)} receipt events) go back on the channel service&apos;s
          callback queue and are delivered to the CRM again. Events it already has count once, so nothing is doubled.
        </p>
      </ConfirmDialog>
      {redrive.isSuccess ? (
        <p className="muted">
          Requeued {formatCount(readNumber(redrive.data.batches) ?? 0)} batches (
          {formatCount(readNumber(redrive.data.events) ?? 0)} events).
        </p>
      ) : null}
      {redrive.isError ? <ErrorState error={redrive.error} title="Redrive failed" /> : null}
    </section>
  );
}
