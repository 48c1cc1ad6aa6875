import { ApiError, type ApiPath, type CsvIngestReport, type CsvKind, csrfHeaders, detailOf, reportStatus } from "./client";

const CSV_INGEST: ApiPath = "/api/ingest/csv";

/**
 * Posts a CSV to the ingest endpoint with XMLHttpRequest, the one browser API that reports
 * upload progress. `onProgress` gets a fraction from 0 to 1.
 */
export function uploadCsv(
  file: File,
  kind: CsvKind | undefined,
  onProgress: (fraction: number) => void,
): Promise<CsvIngestReport> {
  const form = new FormData();
  form.append("file", file);
  if (kind) form.append("kind", kind);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", CSV_INGEST);
    xhr.responseType = "json";
    // Same origin, so the session cookie goes along; unsafe requests echo the CSRF token.
    xhr.withCredentials = false;
    for (const [name, value] of Object.entries(csrfHeaders("POST"))) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(xhr.response as CsvIngestReport);
      } else {
        reportStatus(CSV_INGEST, xhr.status);
        reject(new ApiError(xhr.status, detailOf(xhr.response)));
      }
    };
    xhr.onerror = () => reject(new Error("The upload failed: the CRM could not be reached"));
    xhr.send(form);
  });
}
