import { Link } from "react-router-dom";
import type { CustomerMessage } from "../../api/client";
import { ErrorState, Loading } from "../../components/States";
import { formatDateTime, formatMoney } from "../../lib/format";
import { channelLabel } from "../../lib/labels";
import { useCustomerMessages } from "./queries";

const TONES: Record<string, string> = {
  converted: "pill pill--ok",
  clicked: "pill pill--live",
  failed: "pill pill--danger",
};

function Source({ message }: { message: CustomerMessage }) {
  if (message.campaign_id !== null) return <Link to={`/campaigns/${message.campaign_id}`}>campaign #{message.campaign_id}</Link>;
  if (message.sequence_id !== null) return <Link to={`/sequences/${message.sequence_id}`}>sequence #{message.sequence_id}</Link>;
  return <span className="muted">—</span>;
}

export function CustomerMessages({ customerId }: { customerId: number }) {
  const messages = useCustomerMessages(customerId);
  return (
    <section className="card" data-testid="customer-messages">
      <h2 className="card__title">Messages</h2>
      {messages.isPending ? (
        <Loading label="Loading messages…" />
      ) : messages.isError ? (
        <ErrorState error={messages.error} title="Could not load the messages" />
      ) : messages.data.length === 0 ? (
        <p className="muted">No messages sent to this customer yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="table table--compact" aria-label="Messages">
            <thead>
              <tr>
                <th>From</th>
                <th>Channel</th>
                <th>Status</th>
                <th>When</th>
                <th className="num">Revenue</th>
              </tr>
            </thead>
            <tbody>
              {messages.data.map((message) => (
                <tr key={message.communication_id}>
                  <td>
                    <Source message={message} />
                  </td>
                  <td>{channelLabel(message.channel)}</td>
                  <td>
                    <span
                      className={TONES[message.status] ?? "pill"}
                      title={message.failure_reason ?? undefined}
                      data-testid="message-status"
                    >
                      {message.status}
                    </span>
                  </td>
                  <td>{formatDateTime(message.status_at)}</td>
                  <td className="num">{message.revenue === null ? "—" : formatMoney(message.revenue)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
