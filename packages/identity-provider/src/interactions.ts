/// <reference path="./oidc-provider.d.ts" />
import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import type { AccountStore } from "./accounts.ts";

const html = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

/**
 * A page of the provider's own. A browser checks `form-action` on every redirect that follows a form's
 * submission, and the login form's end at the client's redirect URI: its origin is listed too.
 */
function page(
  response: ServerResponse,
  status: number,
  title: string,
  body: string,
  formEndsAt?: string,
): void {
  const formTargets = ["'self'", ...(formEndsAt ? [formEndsAt] : [])].join(" ");
  response.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-security-policy": `default-src 'none'; style-src 'unsafe-inline'; form-action ${formTargets}`,
  });
  response.end(
    `<!doctype html><html><head><meta charset="utf-8"><title>${html(title)}</title>` +
      `<style>body{font-family:sans-serif;max-width:24rem;margin:4rem auto}label,input,button{display:block;width:100%;margin:.4rem 0}</style>` +
      `</head><body><h1>${html(title)}</h1>${body}</body></html>`,
  );
}

function loginForm(
  response: ServerResponse,
  uid: string,
  redirectUri: unknown,
  status = 200,
  error?: string,
  email = "",
): void {
  page(
    response,
    status,
    "Sign in to OKR platform",
    `${error ? `<p role="alert">${html(error)}</p>` : ""}` +
      `<form method="post" action="/interaction/${html(uid)}/login">` +
      `<label>Email <input name="email" type="email" autocomplete="username" value="${html(email)}" required></label>` +
      `<label>Password <input name="password" type="password" autocomplete="current-password" required></label>` +
      `<button type="submit">Sign in</button></form>` +
      `<p><a href="/interaction/${html(uid)}/abort">Cancel</a></p>`,
    // The provider checked the redirect URI against the client's before this interaction began.
    typeof redirectUri === "string" ? URL.parse(redirectUri)?.origin : undefined,
  );
}

async function formBody(request: IncomingMessage): Promise<URLSearchParams> {
  let text = "";
  for await (const chunk of request) {
    text += chunk;
    if (text.length > 10_000) throw new Error("the form is too large");
  }
  return new URLSearchParams(text);
}

/**
 * The provider's own pages: a login form checked against the account store. Consent is never asked:
 * the only interactive client is the platform's own web app, whose grant `loadExistingGrant` gives.
 * Answers false when the path is not an interaction path (the provider handles it instead).
 */
export async function handleInteraction(
  provider: Provider,
  accounts: AccountStore,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<boolean> {
  const match = /^\/interaction\/([\w-]+)(?:\/(login|abort))?$/.exec(request.url?.split("?")[0] ?? "");
  if (!match) return false;
  const [, uid = "", action] = match;
  try {
    const details = await provider.interactionDetails(request, response);
    if (details.uid !== uid) throw new Error("the interaction does not match this browser's session");
    if (details.prompt.name !== "login") {
      page(response, 400, "Not supported", `<p>This provider only asks for a sign-in.</p>`);
      return true;
    }
    if (action === undefined && request.method === "GET") {
      loginForm(response, uid, details.params.redirect_uri);
    } else if (action === "login" && request.method === "POST") {
      const form = await formBody(request);
      const email = form.get("email") ?? "";
      const account = accounts.authenticate(email, form.get("password") ?? "");
      if (!account)
        loginForm(response, uid, details.params.redirect_uri, 401, "Unknown email or wrong password.", email);
      else
        await provider.interactionFinished(
          request,
          response,
          { login: { accountId: account.sub } },
          { mergeWithLastSubmission: false },
        );
    } else if (action === "abort") {
      await provider.interactionFinished(
        request,
        response,
        { error: "access_denied", error_description: "the person cancelled the sign-in" },
        { mergeWithLastSubmission: false },
      );
    } else {
      page(response, 405, "Method not allowed", "");
    }
  } catch (error) {
    page(response, 400, "Sign-in failed", `<p>${html((error as Error).message)}</p>`);
  }
  return true;
}
