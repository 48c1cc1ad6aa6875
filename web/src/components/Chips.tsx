import type { Consent } from "../api/client";

const CHANNELS: { key: keyof Consent; label: string }[] = [
  { key: "email", label: "Email" },
  { key: "sms", label: "SMS" },
  { key: "whatsapp", label: "WhatsApp" },
  { key: "rcs", label: "RCS" },
];

export function ConsentChips({ consent }: { consent: Consent }) {
  return (
    <span className="chips">
      {CHANNELS.map(({ key, label }) => (
        <span
          key={key}
          className={consent[key] ? "chip chip--on" : "chip chip--off"}
          title={`${label}: ${consent[key] ? "consented" : "no consent"}`}
        >
          {label}
        </span>
      ))}
    </span>
  );
}

export function TagChips({ tags }: { tags: string[] }) {
  if (tags.length === 0) return <span className="muted">—</span>;
  return (
    <span className="chips">
      {tags.map((tag) => (
        <span key={tag} className="chip">
          {tag}
        </span>
      ))}
    </span>
  );
}
