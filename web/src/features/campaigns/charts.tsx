import {
  Bar,
  type BarShapeProps,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  Rectangle,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { CampaignStats } from "../../api/client";

export const FUNNEL_STAGES = ["sent", "delivered", "opened", "read", "clicked", "converted", "failed"] as const;
const COLORS: Record<string, string> = {
  sent: "#8f6bd1",
  delivered: "#3c7be0",
  opened: "#1a9aa0",
  read: "#16794c",
  clicked: "#e08a1e",
  converted: "#d6246e",
  failed: "#9aa0a6",
};

export function FunnelChart({ funnel }: { funnel: CampaignStats["funnel"] }) {
  const data = FUNNEL_STAGES.map((stage) => ({ stage, count: funnel[stage] }));
  return (
    <div className="chart" role="img" aria-label="Delivery funnel">
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 24, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} stroke="var(--border)" />
          <XAxis type="number" allowDecimals={false} tickLine={false} axisLine={false} />
          <YAxis type="category" dataKey="stage" tickLine={false} axisLine={false} width={76} />
          <Tooltip cursor={{ fill: "var(--surface-muted)" }} />
          <Bar
            dataKey="count"
            name="messages"
            radius={[0, 4, 4, 0]}
            isAnimationActive={false}
            shape={(props: BarShapeProps) => (
              <Rectangle {...props} fill={COLORS[data[props.index]?.stage ?? "sent"]} />
            )}
          />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

const clock = new Intl.DateTimeFormat("en-IN", { hour: "2-digit", minute: "2-digit", second: "2-digit" });

export function TimelineChart({ stats }: { stats: CampaignStats }) {
  const present = FUNNEL_STAGES.filter((stage) => stats.timeseries.some((point) => (point.counts[stage] ?? 0) > 0));
  // Running totals, so the lines climb as receipts land.
  const totals: Record<string, number> = {};
  const data = stats.timeseries.map((point) => {
    for (const stage of present) totals[stage] = (totals[stage] ?? 0) + (point.counts[stage] ?? 0);
    return { at: clock.format(new Date(point.at)), ...totals };
  });
  return (
    <div className="chart" role="img" aria-label="Messages reaching each stage over time, cumulative">
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="var(--border)" />
          <XAxis dataKey="at" tickLine={false} axisLine={false} minTickGap={24} />
          <YAxis allowDecimals={false} tickLine={false} axisLine={false} width={48} />
          <Tooltip />
          <Legend />
          {present.map((stage) => (
            <Line
              key={stage}
              type="stepAfter"
              dataKey={stage}
              stroke={COLORS[stage]}
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
