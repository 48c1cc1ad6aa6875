import { useState } from "react";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { useDebouncedValue } from "../../lib/useDebouncedValue";
import { CustomerTable } from "./CustomerTable";
import { useCustomerPage } from "./queries";

/** Search box, one keyset page of customers, and previous/next through the cursors seen so far. */
export function CustomerList() {
  const [text, setText] = useState("");
  const q = useDebouncedValue(text.trim(), 300);
  // Cursors of the pages after the first, for the current search only.
  const [paging, setPaging] = useState<{ q: string; cursors: string[] }>({ q: "", cursors: [] });
  const cursors = paging.q === q ? paging.cursors : [];
  const page = useCustomerPage(q, cursors.at(-1));

  const nextCursor = page.data?.next_cursor;
  const goNext = () => {
    if (nextCursor) setPaging({ q, cursors: [...cursors, nextCursor] });
  };
  const goPrevious = () => setPaging({ q, cursors: cursors.slice(0, -1) });

  return (
    <section className="card">
      <div className="toolbar">
        <input
          type="search"
          className="input input--search"
          placeholder="Search by name, email, phone, city or id"
          aria-label="Search customers"
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        {page.isFetching ? <span className="spinner" role="status" aria-label="Searching" /> : null}
      </div>
      {page.isPending ? (
        <Loading label="Loading customers…" />
      ) : page.isError ? (
        <ErrorState error={page.error} title="Could not load customers" />
      ) : page.data.items.length === 0 ? (
        <EmptyState title={q ? `No customers match “${q}”` : "No customers yet"}>
          {q ? null : <p>Import a CSV above to add some.</p>}
        </EmptyState>
      ) : (
        <>
          <CustomerTable customers={page.data.items} />
          <div className="pager">
            <span className="muted">
              Page {cursors.length + 1} · {page.data.items.length} shown
              {nextCursor ? "" : " · end of list"}
            </span>
            <div className="pager__buttons">
              <button type="button" className="button" onClick={goPrevious} disabled={cursors.length === 0}>
                ← Previous
              </button>
              <button type="button" className="button" onClick={goNext} disabled={!nextCursor}>
                Next →
              </button>
            </div>
          </div>
        </>
      )}
    </section>
  );
}
