import { QueryClient, QueryClientProvider, useQueryClient } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { bindSession, mayPassOnRetry } from "./api.ts";
import { Layout } from "./components/layout.tsx";
import { ErrorState, Loading } from "./components/states.tsx";
import { useLiveScores } from "./live.ts";
import { ApprovalsPage } from "./pages/approvals.tsx";
import { CycleReportPage } from "./pages/cycle-report.tsx";
import { CycleRunPage } from "./pages/cycle-run.tsx";
import { CycleTreePage } from "./pages/cycle-tree.tsx";
import { CyclesPage } from "./pages/cycles.tsx";
import { KeyResultPage } from "./pages/key-result.tsx";
import { MyWorkPage } from "./pages/my-work.tsx";
import { EditObjectivePage, NewObjectivePage } from "./pages/objective-editor.tsx";
import { RetrospectivePage } from "./pages/retrospective.tsx";
import { SignInPage } from "./pages/sign-in.tsx";
import { TeamPage } from "./pages/team.tsx";
import { TeamObjectivesPage } from "./pages/team-objectives.tsx";
import { ValueStreamPage } from "./pages/value-stream.tsx";
import { ValueStreamsPage } from "./pages/value-streams.tsx";
import { useSession } from "./queries.ts";
import { Router, useRoute } from "./router.tsx";
import "./styles.css";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      retry: (count, error) => count < 2 && mayPassOnRetry(error),
    },
  },
});

const ROUTES = [
  "/",
  "/cycles",
  "/cycles/:cycleId",
  "/cycles/:cycleId/run",
  "/cycles/:cycleId/teams/:teamId",
  "/cycles/:cycleId/teams/:teamId/objectives",
  "/cycles/:cycleId/teams/:teamId/objectives/new",
  "/cycles/:cycleId/teams/:teamId/approvals",
  "/cycles/:cycleId/teams/:teamId/retrospective",
  "/cycles/:cycleId/report",
  "/objectives/:objectiveId/edit",
  "/key-results/:keyResultId",
  "/value-streams",
  "/value-streams/:streamId",
] as const;

function Pages() {
  const route = useRoute(ROUTES);
  const { cycleId = "", teamId = "", objectiveId = "" } = route?.params ?? {};
  if (route?.pattern === "/cycles/:cycleId/teams/:teamId/objectives")
    return <TeamObjectivesPage cycleId={cycleId} teamId={teamId} />;
  if (route?.pattern === "/cycles/:cycleId/teams/:teamId/objectives/new")
    return <NewObjectivePage cycleId={cycleId} teamId={teamId} />;
  if (route?.pattern === "/cycles/:cycleId/teams/:teamId/approvals")
    return <ApprovalsPage cycleId={cycleId} teamId={teamId} />;
  if (route?.pattern === "/cycles/:cycleId/teams/:teamId/retrospective")
    return <RetrospectivePage cycleId={cycleId} teamId={teamId} />;
  if (route?.pattern === "/objectives/:objectiveId/edit")
    return <EditObjectivePage objectiveId={objectiveId} />;
  if (route?.pattern === "/cycles/:cycleId") return <CycleTreePage cycleId={route.params.cycleId ?? ""} />;
  if (route?.pattern === "/cycles/:cycleId/report")
    return <CycleReportPage cycleId={route.params.cycleId ?? ""} />;
  if (route?.pattern === "/value-streams/:streamId")
    return <ValueStreamPage streamId={route.params.streamId ?? ""} />;
  if (route?.pattern === "/value-streams") return <ValueStreamsPage />;
  if (route?.pattern === "/cycles/:cycleId/run") return <CycleRunPage cycleId={route.params.cycleId ?? ""} />;
  if (route?.pattern === "/cycles/:cycleId/teams/:teamId")
    return <TeamPage cycleId={cycleId} teamId={teamId} />;
  if (route?.pattern === "/key-results/:keyResultId")
    return <KeyResultPage keyResultId={route.params.keyResultId ?? ""} />;
  if (route?.pattern === "/cycles") return <CyclesPage />;
  if (route?.pattern === "/") return <MyWorkPage />;
  return (
    <section>
      <h1>Page not found</h1>
      <p>There is no page at this address.</p>
    </section>
  );
}

function App() {
  const client = useQueryClient();
  const session = useSession();
  // Bound while rendering, before any child can send a request with it.
  bindSession(session.data?.csrfToken, () => void client.invalidateQueries({ queryKey: ["session"] }));
  useLiveScores(session.data?.signedIn === true);
  if (session.isPending)
    return (
      <main id="main">
        <Loading what="your session" />
      </main>
    );
  if (session.isError)
    return (
      <main id="main">
        <ErrorState error={session.error} retry={() => void session.refetch()} />
      </main>
    );
  if (!session.data.signedIn) return <SignInPage />;
  return (
    <Layout session={session.data}>
      <Pages />
    </Layout>
  );
}

createRoot(document.getElementById("root") as HTMLElement).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <Router>
        <App />
      </Router>
    </QueryClientProvider>
  </StrictMode>,
);
