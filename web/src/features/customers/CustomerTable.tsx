import { Link } from "react-router-dom";
import type { Customer } from "../../api/client";
import { ConsentChips } from "../../components/Chips";
import { formatDate, formatMoney } from "../../lib/format";

/** Customers as rows; `compact` keeps name, city, orders and spend for narrow panels. */
export function CustomerTable({ customers, compact = false }: { customers: Customer[]; compact?: boolean }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th>Name</th>
            <th>City</th>
            <th className="num">Orders</th>
            <th className="num">Total spent</th>
            {compact ? null : (
              <>
                <th>Last order</th>
                <th>Consent</th>
              </>
            )}
          </tr>
        </thead>
        <tbody>
          {customers.map((customer) => (
            <tr key={customer.id}>
              <td>
                <Link to={`/customers/${customer.id}`} className="cell-title">
                  {customer.name ?? customer.external_id}
                </Link>
                {compact ? null : (
                  <span className="cell-sub">{customer.email ?? customer.phone ?? customer.external_id}</span>
                )}
              </td>
              <td>{customer.city ?? <span className="muted">—</span>}</td>
              <td className="num">{customer.stats.order_count}</td>
              <td className="num">{formatMoney(customer.stats.total_spent)}</td>
              {compact ? null : (
                <>
                  <td>{formatDate(customer.stats.last_order_at)}</td>
                  <td>
                    <ConsentChips consent={customer.consent} />
                  </td>
                </>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
