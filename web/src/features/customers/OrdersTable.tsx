import type { Order } from "../../api/client";
import { formatDateTime, formatMoney } from "../../lib/format";

const UNCOUNTED = new Set(["cancelled", "refunded", "voided"]);

export function OrdersTable({ orders }: { orders: Order[] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th>Order</th>
            <th>Placed</th>
            <th>Status</th>
            <th>Items</th>
            <th className="num">Amount</th>
          </tr>
        </thead>
        <tbody>
          {orders.map((order) => (
            <tr key={order.id}>
              <td className="mono">{order.external_id}</td>
              <td>{formatDateTime(order.ordered_at)}</td>
              <td>
                <span
                  className={UNCOUNTED.has(order.status) ? "pill pill--danger" : "pill"}
                  title={UNCOUNTED.has(order.status) ? "not counted in spend" : undefined}
                >
                  {order.status}
                </span>
              </td>
              <td>
                <ul className="item-list">
                  {order.items.map((item, index) => (
                    // An order's items never reorder, and the same product may appear twice.
                    <li key={index}>
                      {item.quantity} × {item.name}
                      {item.category ? <span className="muted"> · {item.category}</span> : null}
                      <span className="muted"> · {formatMoney(item.unit_price, order.currency)}</span>
                    </li>
                  ))}
                </ul>
              </td>
              <td className="num">{formatMoney(order.amount, order.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
