import { MutationCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider } from "react-router-dom";
import { ApiError, onUnauthorized } from "./api/client";
import { authKeys } from "./features/auth/queries";
import { loginPath } from "./features/auth/redirect";
import { router } from "./router";
import "./styles.css";

const queryClient: QueryClient = new QueryClient({
  // Anything that changes a campaign or sequence adds to the audit trail.
  mutationCache: new MutationCache({
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["audit"] }),
  }),
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // A 4xx will not change on retry; network errors and 5xx get two more tries.
      retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 2,
    },
  },
});

// Signed out (or the session expired): forget the cached data and go to the sign-in page, then back.
onUnauthorized(() => {
  const { pathname, search } = window.location;
  if (pathname === "/login") return;
  queryClient.clear();
  queryClient.setQueryData(authKeys.me, null);
  void router.navigate(loginPath(pathname + search), { replace: true });
});

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
