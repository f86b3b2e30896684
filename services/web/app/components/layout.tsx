import type { ReactNode } from "react";
import { type SessionInfo, signOut } from "../api.ts";
import { useMe } from "../queries.ts";
import { Link } from "../router.tsx";

/** Who is signed in: goals' /me (name and teams), or the ID token's name until goals answers it. */
function Person({ session }: { session: SessionInfo }) {
  const me = useMe();
  const name = me.data?.name ?? session.person?.name ?? session.person?.email ?? "you";
  const teams = me.data?.teams
    .map((team) => (team.role === "leader" ? `${team.name} (lead)` : team.name))
    .join(", ");
  return (
    <p className="person">
      <span>Signed in as {name}</span>
      {teams ? <span className="teams">{teams}</span> : null}
    </p>
  );
}

export function Layout({ session, children }: { session: SessionInfo; children: ReactNode }) {
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="brand">
          OKR platform
        </Link>
        <nav aria-label="Main" className="main-nav">
          <Link to="/cycles">Cycles</Link>
          <Link to="/value-streams">Value streams</Link>
        </nav>
        <nav aria-label="Account">
          <Person session={session} />
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </nav>
      </header>
      <main id="main">{children}</main>
    </>
  );
}
