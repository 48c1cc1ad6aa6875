import type { CustomerProfile } from "../../api/client";
import { ConsentChips, TagChips } from "../../components/Chips";
import { PageHeader } from "../../components/PageHeader";
import { StatCard } from "../../components/StatCard";
import { EmptyState } from "../../components/States";
import { formatDate, formatDaysAgo, formatMoney } from "../../lib/format";
import { CustomerMessages } from "./MessagesTable";
import { OrdersTable } from "./OrdersTable";

export function CustomerProfileView({ customer }: { customer: CustomerProfile }) {
  const { stats } = customer;
  const place = [customer.city, customer.state].filter(Boolean).join(", ");
  return (
    <>
      <PageHeader
        title={customer.name ?? customer.external_id}
        subtitle={
          <>
            <span className="mono">{customer.external_id}</span>
            {place ? ` · ${place}` : null}
            {customer.age !== null ? ` · ${customer.age} years` : null}
            {customer.gender ? ` · ${customer.gender}` : null}
          </>
        }
      />
      <div className="stat-grid">
        <StatCard label="Total spent" value={formatMoney(stats.total_spent)} />
        <StatCard label="Orders" value={stats.order_count} />
        <StatCard label="Average order" value={formatMoney(stats.avg_order_value)} />
        <StatCard
          label="Last order"
          value={formatDaysAgo(stats.last_order_at)}
          hint={formatDate(stats.last_order_at)}
        />
        <StatCard
          label="First order"
          value={formatDaysAgo(stats.first_order_at)}
          hint={formatDate(stats.first_order_at)}
        />
      </div>
      <section className="card">
        <h2 className="card__title">Contact</h2>
        <dl className="facts">
          <dt>Email</dt>
          <dd>{customer.email ?? "—"}</dd>
          <dt>Phone</dt>
          <dd>{customer.phone ?? "—"}</dd>
          <dt>Consent</dt>
          <dd>
            <ConsentChips consent={customer.consent} />
          </dd>
          <dt>Tags</dt>
          <dd>
            <TagChips tags={customer.tags} />
          </dd>
          <dt>Signed up</dt>
          <dd>{formatDate(customer.signed_up_at)}</dd>
          <dt>Birthday</dt>
          <dd>{formatDate(customer.birthday)}</dd>
          <dt>Categories bought</dt>
          <dd>
            <TagChips tags={stats.categories} />
          </dd>
          <dt>Last item</dt>
          <dd>{stats.last_item ?? "—"}</dd>
        </dl>
      </section>
      <section className="card">
        <h2 className="card__title">Orders</h2>
        {customer.orders.length === 0 ? (
          <EmptyState title="No orders yet" />
        ) : (
          <OrdersTable orders={customer.orders} />
        )}
      </section>
      <CustomerMessages customerId={customer.id} />
    </>
  );
}
