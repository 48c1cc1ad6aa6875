import type { Channel, StepCondition } from "../api/client";

export const CHANNELS: Channel[] = ["whatsapp", "email", "sms", "rcs"];

const CHANNEL_LABELS: Record<string, string> = { whatsapp: "WhatsApp", email: "Email", sms: "SMS", rcs: "RCS" };

export function channelLabel(channel: string): string {
  return CHANNEL_LABELS[channel] ?? channel;
}

export const CONDITIONS: { value: StepCondition; label: string }[] = [
  { value: "always", label: "Always" },
  { value: "if_not_opened_or_read", label: "Only if they haven't opened or read it" },
  { value: "if_not_clicked", label: "Only if they haven't clicked" },
  { value: "if_not_converted", label: "Only if they haven't bought" },
];

export function conditionLabel(condition: string): string {
  return CONDITIONS.find((item) => item.value === condition)?.label ?? condition;
}

export function formatPercent(rate: number | null | undefined, digits = 1): string {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return "—";
  return `${(rate * 100).toFixed(digits)}%`;
}
