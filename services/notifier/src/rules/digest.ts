import type { RenderedMessage } from "./template.ts";

/** The event type a digest delivery is recorded under (no catalog event: the notifier makes it itself). */
export const DIGEST_EVENT_TYPE = "okr.notifier.digest";

/** The event type a team's weekly digest is posted under. */
export const TEAM_DIGEST_EVENT_TYPE = "okr.notifier.team-digest";

/** What a digest tells of its period, for a person or a team alike. */
export interface DigestSummary {
  /** Their objectives (a person's: their own, their teams') whose score changed in the period. */
  scoresMoved: { title: string; from: number | null; to: number }[];
  /** Their objectives at risk as of now. */
  atRisk: { title: string }[];
  /** Members with no check-in in the period, per team (a person's: of the teams they lead). */
  notCheckedIn: { team: string; people: string[] }[];
  /** Reminders due within the week after the digest. */
  dueNext: { subject: string; dueAt: string; link: string }[];
}

/** What a digest tells one person about its period. */
export interface DigestContent extends DigestSummary {
  mode: "daily" | "weekly";
  /** The notifications held for it (digest mode), oldest first. */
  held: { subject: string; link: string }[];
}

/** A digest with nothing to say is recorded skipped (`empty`), never sent. */
export const isEmptyDigest = (content: DigestSummary & { held?: unknown[] }) =>
  (content.held?.length ?? 0) +
    content.scoresMoved.length +
    content.atRisk.length +
    content.notCheckedIn.length +
    content.dueNext.length ===
  0;

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
const percent = (value: number | null) => (value === null ? "none" : `${Math.round(value * 100)}%`);

const homeLink = (webUrl: string) => `${webUrl.replace(/\/+$/, "")}/`;

/** The summary's sections in the order digests show them, only those with news. */
function summarySections(content: DigestSummary): { title: string; lines: string[] }[] {
  return [
    {
      title: "Scores that moved",
      lines: content.scoresMoved.map((s) => `${s.title}: ${percent(s.from)} -> ${percent(s.to)}`),
    },
    { title: "At risk", lines: content.atRisk.map((o) => o.title) },
    {
      title: "Not checked in",
      lines: content.notCheckedIn.map((team) => `${team.team}: ${team.people.join(", ")}`),
    },
    {
      title: "Due next week",
      lines: content.dueNext.map((due) => {
        const when = `${due.dueAt.slice(0, 16).replace("T", " ")} UTC`;
        // A reminder's subject names its deadline already; others get it added.
        return due.subject.includes(when) ? due.subject : `${due.subject} (${when})`;
      }),
    },
  ].filter((section) => section.lines.length > 0);
}

/** A digest as one email: the held notifications first, then the summary, sections only where there is news. */
export function renderDigest(content: DigestContent, name: string, webUrl: string): RenderedMessage {
  const link = homeLink(webUrl);
  const sections = [
    { title: "Notifications", lines: content.held.map((item) => `${item.subject} (${item.link})`) },
    ...summarySections(content),
  ].filter((section) => section.lines.length > 0);
  const period = content.mode === "weekly" ? "weekly" : "daily";
  const count = content.held.length;
  const subject = `Your ${period} digest${count > 0 ? `: ${count} notification${count === 1 ? "" : "s"}` : ""}`;
  const greeting = name.trim() ? `Hello ${name.trim()},` : "Hello,";
  const text = plainText(greeting, sections, link);
  const html = [
    `<p>${escapeHtml(greeting)}</p>`,
    ...sections.map(
      (section) =>
        `<h3>${escapeHtml(section.title)}</h3><ul>${section.lines.map((line) => `<li>${escapeHtml(line)}</li>`).join("")}</ul>`,
    ),
    `<p><a href="${escapeHtml(link)}">Open the OKR platform</a></p>`,
  ].join("\n");
  return { subject, text, html, link };
}

const plainText = (greeting: string, sections: { title: string; lines: string[] }[], link: string) =>
  [
    greeting,
    "",
    ...sections.flatMap((section) => [section.title, ...section.lines.map((line) => `- ${line}`), ""]),
    `Open the OKR platform: ${link}`,
  ].join("\n");

/**
 * A team's weekly digest as its chat channels show it (rules/chat.ts turns it into Block Kit or an
 * Adaptive Card): the summary's sections, greeting the team by name. Chat shows the text only; the
 * html is the same text for the delivery record.
 */
export function renderTeamDigest(summary: DigestSummary, teamName: string, webUrl: string): RenderedMessage {
  const link = homeLink(webUrl);
  const name = teamName.trim();
  const text = plainText(name ? `Hello ${name},` : "Hello,", summarySections(summary), link);
  return {
    subject: name ? `Weekly digest of ${name}` : "Weekly team digest",
    text,
    html: `<pre>${escapeHtml(text)}</pre>`,
    link,
  };
}
