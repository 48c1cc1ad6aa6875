import { Link } from "react-router-dom";
import type { Segment } from "../../api/client";
import { formatDate } from "../../lib/format";

export function SegmentTable({ segments }: { segments: Segment[] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Who</th>
            <th>Created by</th>
            <th>Updated</th>
          </tr>
        </thead>
        <tbody>
          {segments.map((segment) => (
            <tr key={segment.id}>
              <td>
                <Link to={`/segments/${segment.id}`} className="cell-title">
                  {segment.name}
                </Link>
              </td>
              <td className="cell-wrap">{segment.explanation}</td>
              <td>
                <span className="pill">{segment.created_by}</span>
              </td>
              <td>{formatDate(segment.updated_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
