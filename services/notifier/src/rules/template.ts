/** The parts of a reminder a message is written from (okr.cycle.reminder-due.v1). */
export interface ReminderContent {
  cycleId: string;
  phase: string;
  action: string;
  dueAt: string;
  escalation: boolean;
  message: string;
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
  link: string;
}

const ACTIONS: Record<string, string> = {
  "draft-objectives": "Draft your objectives",
  "approve-objectives": "Approve objectives",
  "check-in": "Check in on your key results",
  "mid-cycle-review": "Hold the mid-cycle review",
  retrospective: "Write the retrospective",
};

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

/**
 * A reminder as an email and inbox entry for one person: a subject, plain text and HTML with the same
 * content, and a link to the cycle in the web app. The due time is written in UTC with its zone, so it
 * is right for every reader whatever their time zone.
 */
export function renderReminder(reminder: ReminderContent, name: string, webUrl: string): RenderedMessage {
  const what = ACTIONS[reminder.action] ?? reminder.action;
  const link = `${webUrl.replace(/\/+$/, "")}/cycles/${encodeURIComponent(reminder.cycleId)}`;
  const due = `${reminder.dueAt.slice(0, 16).replace("T", " ")} UTC`;
  const subject = `${reminder.escalation ? "Overdue: " : ""}${what} by ${due}`;
  const greeting = name.trim() ? `Hello ${name.trim()},` : "Hello,";
  const text = [
    greeting,
    "",
    reminder.message,
    "",
    `${what} by ${due} (phase ${reminder.phase}).`,
    `Open the cycle: ${link}`,
  ].join("\n");
  const html = [
    `<p>${escapeHtml(greeting)}</p>`,
    `<p>${escapeHtml(reminder.message)}</p>`,
    `<p><strong>${escapeHtml(what)}</strong> by ${escapeHtml(due)} (phase ${escapeHtml(reminder.phase)}).</p>`,
    `<p><a href="${escapeHtml(link)}">Open the cycle</a></p>`,
  ].join("\n");
  return { subject, text, html, link };
}

/** The parts of an at-risk alert a message is written from (okr.cycle.objective-at-risk.v1). */
export interface AtRiskContent {
  objectiveId: string;
  score: number;
  expected: number;
  reasons: string[];
}

const percent = (value: number) => `${Math.round(value * 100)}%`;

/** An at-risk alert for one person: where the objective stands against where it should be, and why. */
export function renderAtRisk(
  alert: AtRiskContent,
  title: string,
  name: string,
  webUrl: string,
): RenderedMessage {
  const link = `${webUrl.replace(/\/+$/, "")}/objectives/${encodeURIComponent(alert.objectiveId)}`;
  const subject = `At risk: ${title}`;
  const standing = `It scores ${percent(alert.score)} where ${percent(alert.expected)} was expected by now.`;
  const greeting = name.trim() ? `Hello ${name.trim()},` : "Hello,";
  const text = [
    greeting,
    "",
    `The objective "${title}" is at risk. ${standing}`,
    ...alert.reasons.map((reason) => `- ${reason}`),
    "",
    `Open the objective: ${link}`,
  ].join("\n");
  const reasons = alert.reasons.map((reason) => `<li>${escapeHtml(reason)}</li>`).join("");
  const html = [
    `<p>${escapeHtml(greeting)}</p>`,
    `<p>The objective <strong>${escapeHtml(title)}</strong> is at risk. ${escapeHtml(standing)}</p>`,
    ...(reasons ? [`<ul>${reasons}</ul>`] : []),
    `<p><a href="${escapeHtml(link)}">Open the objective</a></p>`,
  ].join("\n");
  return { subject, text, html, link };
}
