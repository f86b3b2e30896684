/** The landing page of a browser without a session: what this is and the one way in. */
export function SignInPage() {
  const params = new URLSearchParams(window.location.search);
  const failure = params.get("signIn");
  const returnTo = window.location.pathname === "/" ? "/" : window.location.pathname + window.location.search;
  return (
    <main id="main" className="landing">
      <h1>OKR platform</h1>
      <p>Your organization's objectives and key results, the cycle they run in, and your check-ins.</p>
      {failure && (
        <p className="state error" role="alert">
          {failure === "expired"
            ? "The sign-in took too long or was already used. Please sign in again."
            : "The sign-in did not succeed. Please try again."}
        </p>
      )}
      <a className="button primary" href={`/auth/sign-in?returnTo=${encodeURIComponent(returnTo)}`}>
        Sign in
      </a>
    </main>
  );
}
