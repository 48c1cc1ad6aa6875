const money = new Intl.NumberFormat("en-IN", {
  style: "currency",
  currency: "INR",
  maximumFractionDigits: 0,
});
const count = new Intl.NumberFormat("en-IN");
const day = new Intl.DateTimeFormat("en-IN", { day: "numeric", month: "short", year: "numeric" });
const moment = new Intl.DateTimeFormat("en-IN", { dateStyle: "medium", timeStyle: "short" });

export function formatMoney(amount: number, currency = "INR"): string {
  if (currency === "INR") return money.format(amount);
  return new Intl.NumberFormat("en-IN", { style: "currency", currency }).format(amount);
}

export function formatCount(value: number): string {
  return count.format(value);
}

export function formatDate(iso: string | null | undefined): string {
  return iso ? day.format(new Date(iso)) : "—";
}

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? moment.format(new Date(iso)) : "—";
}

/** "today", "3 days ago", "in 2 days" — whole days, like the segment DSL counts them. */
export function formatDaysAgo(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return "never";
  const days = Math.floor((now.getTime() - new Date(iso).getTime()) / 86_400_000);
  if (days === 0) return "today";
  if (days < 0) return days === -1 ? "in 1 day" : `in ${-days} days`;
  return days === 1 ? "1 day ago" : `${count.format(days)} days ago`;
}
