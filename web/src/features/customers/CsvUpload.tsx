import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type SubmitEvent, useState } from "react";
import type { CsvKind } from "../../api/client";
import { uploadCsv } from "../../api/upload";
import { ProgressBar } from "../../components/ProgressBar";
import { ErrorState } from "../../components/States";
import { segmentKeys } from "../segments/queries";
import { IngestReportView } from "./IngestReportView";
import { customerKeys } from "./queries";

const KINDS: { value: CsvKind | ""; label: string }[] = [
  { value: "", label: "Detect from the header" },
  { value: "customers", label: "Customers" },
  { value: "orders", label: "Orders" },
];

export function CsvUpload() {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [kind, setKind] = useState<CsvKind | "">("");
  const [progress, setProgress] = useState(0);
  const upload = useMutation({
    mutationFn: (chosen: File) => uploadCsv(chosen, kind || undefined, setProgress),
    onMutate: () => setProgress(0),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: customerKeys.all }),
        queryClient.invalidateQueries({ queryKey: segmentKeys.all }),
      ]);
    },
  });

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (file) upload.mutate(file);
  };

  return (
    <section className="card">
      <h2 className="card__title">Import a CSV</h2>
      <p className="muted">
        This project's customers or orders columns, or a Shopify customers or orders export. Rows are upserted
        by external id; invalid rows are listed with their line number and stored nowhere.
      </p>
      <form className="upload" onSubmit={submit}>
        <input
          type="file"
          accept=".csv,text/csv"
          aria-label="CSV file"
          className="input"
          onChange={(event) => setFile(event.target.files?.[0] ?? null)}
        />
        <select
          className="input"
          aria-label="Record kind"
          value={kind}
          onChange={(event) => setKind(event.target.value as CsvKind | "")}
        >
          {KINDS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
        <button type="submit" className="button button--primary" disabled={!file || upload.isPending}>
          {upload.isPending ? "Uploading…" : "Upload"}
        </button>
      </form>
      {upload.isPending || upload.isSuccess ? (
        <ProgressBar fraction={progress} label="Upload progress" />
      ) : null}
      {upload.isPending && progress >= 1 ? <p className="muted">Processing rows…</p> : null}
      {upload.isError ? <ErrorState error={upload.error} title="The upload was not accepted" /> : null}
      {upload.isSuccess ? <IngestReportView report={upload.data} /> : null}
    </section>
  );
}
