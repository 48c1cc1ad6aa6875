import { Link, useNavigate } from "react-router-dom";
import { useLogout, useMe } from "./queries";

/** The top bar's right end: who is signed in, the account page, and Sign out. */
export function SignedInUser() {
  const me = useMe();
  const logout = useLogout();
  const navigate = useNavigate();
  if (!me.data) return null;
  return (
    <span className="signed-in">
      <Link to="/account" className="signed-in__email" data-testid="operator-email" title="Your account">
        {me.data.email}
      </Link>
      <button
        type="button"
        className="button button--small button--ghost"
        disabled={logout.isPending}
        onClick={() => logout.mutate(undefined, { onSettled: () => void navigate("/login", { replace: true }) })}
      >
        Sign out
      </button>
    </span>
  );
}

/** Shown on every page while the operator still has the password the installer printed. */
export function DefaultPasswordBanner() {
  const me = useMe();
  if (!me.data?.default_password) return null;
  return (
    <div className="notice notice--banner" role="note" data-testid="default-password-banner">
      You are using the install-time password — <Link to="/account">change it</Link>.
    </div>
  );
}
