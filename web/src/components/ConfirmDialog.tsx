import { type ReactNode, useEffect, useRef } from "react";

/**
 * A modal confirmation for an action that cannot be undone (a launch, a rollback, a redrive):
 * the native <dialog>, so Escape and focus trapping behave as the browser does.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  busyLabel,
  busy = false,
  disabled = false,
  tone = "primary",
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busyLabel?: string;
  busy?: boolean;
  disabled?: boolean;
  tone?: "primary" | "danger";
  onConfirm: () => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog ref={ref} className="dialog" aria-labelledby="dialog-title" onClose={onClose} onCancel={onClose}>
      {open ? (
        <>
          <h2 id="dialog-title" className="dialog__title">
            {title}
          </h2>
          <div className="dialog__body">{children}</div>
          <div className="dialog__actions">
            <button type="button" className="button" onClick={onClose} disabled={busy}>
              Back
            </button>
            <button
              type="button"
              className={tone === "danger" ? "button button--danger" : "button button--primary"}
              onClick={onConfirm}
              disabled={busy || disabled}
            >
              {busy ? (busyLabel ?? "Working…") : confirmLabel}
            </button>
          </div>
        </>
      ) : null}
    </dialog>
  );
}
