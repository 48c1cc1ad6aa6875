import { type SubmitEvent, useState } from "react";
import type { ApiTokenCreated } from "../api/client";
import { PageHeader } from "../components/PageHeader";
import { EmptyState, ErrorState, Loading } from "../components/States";
import {
  useApiTokens,
  useChangePassword,
  useCreateApiToken,
  useMe,
  useRevokeApiToken,
} from "../features/auth/queries";
import { formatDateTime } from "../lib/format";

const MIN_PASSWORD = 10;

export default function AccountPage() {
  const me = useMe();
  return (
    <>
      <PageHeader title="Account" subtitle={me.data ? `Signed in as ${me.data.email}` : undefined} />
      <div className="two-col">
        <PasswordForm />
        <ApiTokens />
      </div>
    </>
  );
}

function PasswordForm() {
  const change = useChangePassword();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [problem, setProblem] = useState<string | null>(null);

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found =
      next.length < MIN_PASSWORD
        ? `Use at least ${MIN_PASSWORD} characters.`
        : next !== repeat
          ? "The two new passwords differ."
          : null;
    setProblem(found);
    if (found) return;
    change.mutate(
      { current_password: current, new_password: next },
      {
        onSuccess: () => {
          setCurrent("");
          setNext("");
          setRepeat("");
        },
      },
    );
  };

  return (
    <form className="card form" onSubmit={submit} data-testid="password-form">
      <h2 className="card__title">Change password</h2>
      <label className="form__field">
        <span>Current password</span>
        <input
          className="input"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          required
        />
      </label>
      <label className="form__field">
        <span>New password</span>
        <input
          className="input"
          type="password"
          autoComplete="new-password"
          value={next}
          onChange={(e) => setNext(e.target.value)}
          required
        />
        <span className="muted">At least {MIN_PASSWORD} characters.</span>
      </label>
      <label className="form__field">
        <span>Repeat the new password</span>
        <input
          className="input"
          type="password"
          autoComplete="new-password"
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
          required
        />
      </label>
      {problem ? (
        <p className="field-error" role="alert">
          {problem}
        </p>
      ) : change.isError ? (
        <p className="field-error" role="alert">
          {change.error.message}
        </p>
      ) : change.isSuccess ? (
        <p className="ok-note" role="status" data-testid="password-changed">
          Password changed.
        </p>
      ) : null}
      <div>
        <button type="submit" className="button button--primary" disabled={change.isPending}>
          {change.isPending ? "Saving…" : "Change password"}
        </button>
      </div>
    </form>
  );
}

function ApiTokens() {
  const tokens = useApiTokens();
  const create = useCreateApiToken();
  const revoke = useRevokeApiToken();
  const [name, setName] = useState("");
  const [created, setCreated] = useState<ApiTokenCreated | null>(null);

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate(name.trim(), {
      onSuccess: (token) => {
        setCreated(token);
        setName("");
      },
    });
  };

  return (
    <section className="card" data-testid="api-tokens">
      <h2 className="card__title">API tokens</h2>
      <p className="muted">
        For scripts: send <code>Authorization: Bearer &lt;token&gt;</code>. A token acts as you until it is revoked.
      </p>
      <form className="inline-form" onSubmit={submit}>
        <label className="form__field">
          <span>Token name</span>
          <input
            className="input"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="e.g. nightly export"
            required
            maxLength={200}
          />
        </label>
        <button type="submit" className="button" disabled={create.isPending || !name.trim()}>
          {create.isPending ? "Creating…" : "Create token"}
        </button>
      </form>
      {create.isError ? <ErrorState error={create.error} title="Could not create the token" /> : null}
      {created ? <NewToken token={created} onDismiss={() => setCreated(null)} /> : null}
      {revoke.isError ? <ErrorState error={revoke.error} title="Could not revoke the token" /> : null}
      {tokens.isPending ? (
        <Loading label="Loading tokens…" />
      ) : tokens.isError ? (
        <ErrorState error={tokens.error} title="Could not load your tokens" />
      ) : tokens.data.length === 0 ? (
        <EmptyState title="No API tokens yet" />
      ) : (
        <div className="table-wrap">
          <table className="table table--compact">
            <thead>
              <tr>
                <th>Name</th>
                <th>Starts with</th>
                <th>Created</th>
                <th>Last used</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((token) => (
                <tr key={token.id} data-testid={`token-${token.id}`}>
                  <td>{token.name}</td>
                  <td>
                    <code>{token.prefix}…</code>
                  </td>
                  <td>{formatDateTime(token.created_at)}</td>
                  <td>{token.last_used_at ? formatDateTime(token.last_used_at) : "never"}</td>
                  <td className="num">
                    {token.revoked_at ? (
                      <span className="muted">revoked {formatDateTime(token.revoked_at)}</span>
                    ) : (
                      <button
                        type="button"
                        className="button button--small button--danger-outline"
                        disabled={revoke.isPending}
                        onClick={() => revoke.mutate(token.id)}
                        aria-label={`Revoke ${token.name}`}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function NewToken({ token, onDismiss }: { token: ApiTokenCreated; onDismiss: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    navigator.clipboard.writeText(token.token).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <div className="notice new-token" data-testid="new-token">
      <strong>Copy “{token.name}” now — it is shown only once.</strong>
      <div className="new-token__row">
        <code data-testid="new-token-value">{token.token}</code>
        <button type="button" className="button button--small" onClick={copy}>
          {copied ? "Copied" : "Copy"}
        </button>
        <button type="button" className="button button--small button--ghost" onClick={onDismiss}>
          Done
        </button>
      </div>
    </div>
  );
}
