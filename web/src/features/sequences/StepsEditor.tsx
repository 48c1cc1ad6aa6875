import { useState } from "react";
import type { Channel, DelayUnit, Sequence, SequenceStep, StepCondition } from "../../api/client";
import { CHANNELS, CONDITIONS, channelLabel } from "../../lib/labels";
import { useSaveSteps } from "./queries";

interface EditableStep extends SequenceStep {
  uiKey: string;
}

const UNITS: DelayUnit[] = ["minutes", "hours", "days"];
let nextKey = 0;

function editable(step: SequenceStep): EditableStep {
  nextKey += 1;
  return { ...step, uiKey: `s${nextKey}` };
}

function payload(steps: SequenceStep[]): SequenceStep[] {
  return steps.map((step) => ({
    key: step.key,
    delay: step.delay,
    channel: step.channel,
    body: step.body,
    condition: step.condition,
    subject: step.channel === "email" ? step.subject?.trim() || null : null,
  }));
}

function same(a: SequenceStep[], b: SequenceStep[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The steps as an editable timeline. Save sends all steps; the server makes a new version and
 * keeps contacts already inside on the version they entered with.
 */
export function StepsEditor({
  sequence,
  savedVersion,
  onSaved,
}: {
  sequence: Sequence;
  savedVersion: number | null;
  onSaved: (version: number) => void;
}) {
  const original = payload(sequence.steps);
  const [steps, setSteps] = useState<EditableStep[]>(() => sequence.steps.map(editable));
  const save = useSaveSteps(sequence.id);
  const dirty = !same(payload(steps), original);

  const change = (index: number, patch: Partial<SequenceStep>) =>
    setSteps((current) => current.map((step, i) => (i === index ? { ...step, ...patch } : step)));
  const move = (index: number, by: number) =>
    setSteps((current) => {
      const next = [...current];
      const [step] = next.splice(index, 1);
      if (step) next.splice(index + by, 0, step);
      return next;
    });
  const remove = (index: number) => setSteps((current) => current.filter((_, i) => i !== index));
  const add = () =>
    setSteps((current) => [
      ...current,
      editable({
        delay: { value: 2, unit: "days" },
        channel: "sms",
        subject: null,
        body: 'Hi {{ first_name | default: "there" }}, a little reminder from SUGAR.',
        condition: "if_not_converted",
      }),
    ]);

  // mutateAsync, not mutate's callbacks: the save remounts this editor (it is keyed by version),
  // and a callback of an unmounted observer would never run.
  const submit = () => {
    save.mutateAsync(payload(steps)).then(
      (updated) => onSaved(updated.version),
      () => undefined, // shown from save.error
    );
  };

  return (
    <section className="card" data-testid="steps-editor">
      <div className="card__head">
        <h2 className="card__title">Steps · version {sequence.version}</h2>
        <div className="toolbar">
          <button type="button" className="button" onClick={add} disabled={steps.length >= 12}>
            + Add step
          </button>
          <button
            type="button"
            className="button"
            disabled={!dirty || save.isPending}
            onClick={() => setSteps(sequence.steps.map(editable))}
          >
            Discard changes
          </button>
          <button
            type="button"
            className="button button--primary"
            disabled={!dirty || save.isPending || steps.length === 0}
            onClick={submit}
          >
            {save.isPending ? "Saving…" : "Save as new version"}
          </button>
        </div>
      </div>
      <p className="muted">
        Every save makes a new version. Contacts already inside stay on their version; new contacts get the latest.
      </p>
      {savedVersion === sequence.version && !dirty ? (
        <p className="ok-note" role="status" aria-live="polite" data-testid="saved-version">
          Saved as version {savedVersion}. Contacts already inside stay on their version.
        </p>
      ) : null}
      {save.isError ? (
        <p className="field-error" role="alert">
          {save.error.message}
        </p>
      ) : null}
      <ol className="timeline">
        {steps.map((step, index) => (
          <StepRow
            key={step.uiKey}
            step={step}
            index={index}
            count={steps.length}
            onChange={(patch) => change(index, patch)}
            onMove={(by) => move(index, by)}
            onRemove={() => remove(index)}
          />
        ))}
      </ol>
    </section>
  );
}

function StepRow({
  step,
  index,
  count,
  onChange,
  onMove,
  onRemove,
}: {
  step: EditableStep;
  index: number;
  count: number;
  onChange: (patch: Partial<SequenceStep>) => void;
  onMove: (by: number) => void;
  onRemove: () => void;
}) {
  const n = index + 1;
  const delay = step.delay ?? { value: 0, unit: "days" };
  return (
    <li className="timeline__step" data-testid={`step-${n}`}>
      <span className="timeline__dot" aria-hidden="true">
        {n}
      </span>
      <div className="timeline__body">
        <div className="timeline__row">
          <span className="muted">Wait</span>
          <input
            className="input input--days"
            type="number"
            min={0}
            max={525600}
            aria-label={`Step ${n} delay`}
            value={delay.value}
            onChange={(e) => onChange({ delay: { ...delay, value: Math.max(0, Math.floor(Number(e.target.value) || 0)) } })}
          />
          <select
            className="input"
            aria-label={`Step ${n} delay unit`}
            value={delay.unit}
            onChange={(e) => onChange({ delay: { ...delay, unit: e.target.value as DelayUnit } })}
          >
            {UNITS.map((unit) => (
              <option key={unit} value={unit}>
                {unit}
              </option>
            ))}
          </select>
          <span className="muted">{index === 0 ? "after they enter, then send on" : `after step ${n - 1}, then send on`}</span>
          <select
            className="input"
            aria-label={`Step ${n} channel`}
            value={step.channel}
            onChange={(e) => onChange({ channel: e.target.value as Channel })}
          >
            {CHANNELS.map((channel) => (
              <option key={channel} value={channel}>
                {channelLabel(channel)}
              </option>
            ))}
          </select>
          <select
            className="input"
            aria-label={`Step ${n} condition`}
            value={step.condition}
            onChange={(e) => onChange({ condition: e.target.value as StepCondition })}
          >
            {CONDITIONS.map((condition) => (
              <option key={condition.value} value={condition.value}>
                {condition.label}
              </option>
            ))}
          </select>
          <span className="timeline__actions">
            <button
              type="button"
              className="button button--ghost"
              aria-label={`Move step ${n} up`}
              disabled={index === 0}
              onClick={() => onMove(-1)}
            >
              ↑
            </button>
            <button
              type="button"
              className="button button--ghost"
              aria-label={`Move step ${n} down`}
              disabled={index === count - 1}
              onClick={() => onMove(1)}
            >
              ↓
            </button>
            <button
              type="button"
              className="button button--ghost"
              aria-label={`Remove step ${n}`}
              disabled={count === 1}
              onClick={onRemove}
            >
              ✕
            </button>
          </span>
        </div>
        {step.channel === "email" ? (
          <input
            className="input"
            aria-label={`Step ${n} subject`}
            placeholder="Subject"
            value={step.subject ?? ""}
            onChange={(e) => onChange({ subject: e.target.value })}
            maxLength={300}
          />
        ) : null}
        <textarea
          className="input textarea"
          aria-label={`Step ${n} message`}
          rows={3}
          value={step.body}
          onChange={(e) => onChange({ body: e.target.value })}
          maxLength={4000}
        />
      </div>
    </li>
  );
}
