import type { CsvIngestReport } from "../../api/client";
import { formatCount } from "../../lib/format";

export function IngestReportView({ report }: { report: CsvIngestReport }) {
  const counts = report.kind === "customers" ? report.customers : report.orders;
  const rejected = report.rejected ?? [];
  return (
    <div className="ingest-report" data-testid="ingest-report">
      <p className="ingest-report__summary">
        Read as <strong>{report.layout}</strong> ({report.kind}, {report.delimiter}-separated {report.encoding}):{" "}
        <span className="pill pill--ok">{formatCount(counts?.created ?? 0)} created</span>{" "}
        <span className="pill">{formatCount(counts?.updated ?? 0)} updated</span>{" "}
        <span className="pill">{formatCount(counts?.unchanged ?? 0)} unchanged</span>{" "}
        <span className={rejected.length ? "pill pill--danger" : "pill"}>
          {formatCount(rejected.length)} rejected
        </span>
      </p>
      {report.kind === "orders" && report.customers && report.customers.created > 0 ? (
        <p className="muted">
          {formatCount(report.customers.created)} customers were created from the orders' billing details.
        </p>
      ) : null}
      {rejected.length > 0 ? (
        <div className="table-wrap">
          <table className="table table--compact" aria-label="Rejected rows">
            <thead>
              <tr>
                <th className="num">Line</th>
                <th>Record</th>
                <th>External id</th>
                <th>Errors</th>
              </tr>
            </thead>
            <tbody>
              {rejected.map((row) => (
                <tr key={`${row.kind}-${row.index}-${row.line ?? ""}`}>
                  <td className="num">{row.line ?? "—"}</td>
                  <td>{row.kind}</td>
                  <td>{row.external_id ?? <span className="muted">—</span>}</td>
                  <td>
                    <ul className="error-list">
                      {row.errors.map((message) => (
                        <li key={message}>{message}</li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
