import { type SubmitEvent, useState } from "react";
import { useNavigate } from "react-router-dom";
import type { SegmentFilter } from "../../api/client";
import { ErrorState } from "../../components/States";
import { useCreateSegment } from "./queries";

export function SaveSegmentForm({ filter }: { filter: SegmentFilter }) {
  const [name, setName] = useState("");
  const create = useCreateSegment();
  const navigate = useNavigate();

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate({ name, filter }, { onSuccess: (segment) => void navigate(`/segments/${segment.id}`) });
  };

  return (
    <form className="card save-form" onSubmit={submit}>
      <label className="save-form__label">
        Segment name
        <input
          className="input"
          value={name}
          maxLength={200}
          placeholder="e.g. Lapsed lipstick buyers in Pune"
          onChange={(event) => setName(event.target.value)}
        />
      </label>
      <button type="submit" className="button button--primary" disabled={!name.trim() || create.isPending}>
        {create.isPending ? "Saving…" : "Save segment"}
      </button>
      {create.isError ? <ErrorState error={create.error} title="Not saved" /> : null}
    </form>
  );
}
