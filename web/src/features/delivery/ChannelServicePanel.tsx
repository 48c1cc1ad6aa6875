import { StatCard } from "../../components/StatCard";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { formatCount } from "../../lib/format";
import { readChannelStats } from "./channelStats";
import { DeadLetters } from "./DeadLetters";
import { EventsChart } from "./EventsChart";
import { isMissingEndpoint, useDeliveryStatus } from "./queries";

function show(value: number | null, suffix = ""): string {
  return value === null ? "—" : `${formatCount(value)}${suffix}`;
}

export function ChannelServicePanel() {
  const status = useDeliveryStatus();

  if (status.isPending) return <Loading label="Asking the channel service…" />;
  if (status.isError) {
    return isMissingEndpoint(status.error) ? (
      <EmptyState title="Delivery status is not available yet">
        <p>
          This CRM build has no delivery status endpoint; the channel service's live counters appear here once
          it does.
        </p>
      </EmptyState>
    ) : (
      <ErrorState error={status.error} title="Could not load delivery status" />
    );
  }
  if (!status.data.reachable || !status.data.channel_service) {
    return (
      <ErrorState
        error={status.data.error ?? "no answer from the channel service"}
        title="The channel service is unreachable"
      />
    );
  }

  const stats = readChannelStats(status.data.channel_service);
  return (
    <div className="delivery" data-testid="channel-stats">
      <div className="stat-grid">
        <StatCard
          label="Queue depth"
          value={show(stats.queueDepth)}
          hint={stats.queueCapacity === null ? undefined : `of ${formatCount(stats.queueCapacity)}`}
        />
        <StatCard label="In flight" value={show(stats.inFlight)} />
        <StatCard label="Messages accepted" value={show(stats.accepted)} />
        <StatCard label="Receipt events sent" value={show(stats.eventsEmitted)} />
        <StatCard label="Duplicates injected" value={show(stats.duplicatesInjected)} />
        <StatCard label="Callback retries" value={show(stats.retries)} />
        <StatCard label="Callback latency p50" value={show(stats.latency.p50, " ms")} />
        <StatCard label="Callback latency p95" value={show(stats.latency.p95, " ms")} />
      </div>
      <div className="delivery__row">
        <section className="card">
          <h2 className="card__title">Events by type</h2>
          {stats.eventsByType.some((item) => item.count > 0) ? (
            <EventsChart data={stats.eventsByType} />
          ) : (
            <EmptyState title="No receipts yet">
              <p>Launch a campaign and its sent, delivered, read and clicked events show up here.</p>
            </EmptyState>
          )}
        </section>
        <DeadLetters batches={stats.deadLetters.batches} events={stats.deadLetters.events} />
      </div>
      {stats.timeScale !== null ? (
        <p className="muted">Simulated time runs {formatCount(stats.timeScale)}× faster than real time.</p>
      ) : null}
    </div>
  );
}
