import { type SubmitEvent, useState } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router-dom";
import { Loading } from "../components/States";
import { useLogin, useMe } from "../features/auth/queries";
import { safeNext } from "../features/auth/redirect";

export default function LoginPage() {
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const me = useMe();
  const login = useLogin();
  const navigate = useNavigate();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  if (me.isPending) return <Loading label="Checking your sign-in…" />;
  if (me.data && !login.isSuccess) return <Navigate to={next} replace />;

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    login.mutate({ email, password }, { onSuccess: () => void navigate(next, { replace: true }) });
  };

  return (
    <div className="login">
      <form className="card form login__card" onSubmit={submit} aria-labelledby="login-title">
        <div className="brand brand--light">
          <span className="brand__mark" aria-hidden="true">
            R
          </span>
          <span>
            <span className="brand__name">Reach</span>
            <span className="brand__persona">SUGAR Cosmetics</span>
          </span>
        </div>
        <h1 id="login-title" className="login__title">
          Sign in
        </h1>
        <label className="form__field">
          <span>Email</span>
          <input
            className="input"
            type="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            autoFocus
          />
        </label>
        <label className="form__field">
          <span>Password</span>
          <input
            className="input"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {login.isError ? (
          <p className="field-error" role="alert">
            {login.error.message}
          </p>
        ) : null}
        <button type="submit" className="button button--primary" disabled={login.isPending}>
          {login.isPending ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </div>
  );
}
