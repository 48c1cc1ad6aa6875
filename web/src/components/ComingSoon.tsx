import type { ReactNode } from "react";
import { PageHeader } from "./PageHeader";

/** The honest placeholder for a section whose API does not exist yet. */
export function ComingSoon({ title, children }: { title: string; children: ReactNode }) {
  return (
    <>
      <PageHeader title={title} />
      <div className="state state--empty coming-soon">
        <strong>Coming soon</strong>
        {children}
      </div>
    </>
  );
}
