import { ErrorState } from "../../components/States";
import { formatCount } from "../../lib/format";
import { readNumber } from "./channelStats";
import { useRedriveDeadLetters } from "./queries";

/** Callback batches the channel service gave up on, and the button that queues them again. */
export function DeadLetters({ batches, events }: { batches: number; events: number }) {
  const redrive = useRedriveDeadLetters();
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
        onClick={() => redrive.mutate()}
      >
        {redrive.isPending ? "Redriving…" : "Redrive dead letters"}
      </button>
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
