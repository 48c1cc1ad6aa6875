import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router-dom";
import { ErrorState, Loading } from "../../components/States";
import { useMe } from "./queries";
import { loginPath } from "./redirect";

/** Renders its children only for a signed-in operator; anyone else goes to /login and comes back. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Loading label="Checking your sign-in…" />;
  if (me.isError) return <ErrorState error={me.error} title="Could not reach the CRM" />;
  if (!me.data) return <Navigate to={loginPath(location.pathname + location.search)} replace />;
  return children;
}
