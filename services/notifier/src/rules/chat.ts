import type { RenderedMessage } from "./template.ts";

/** The parts of a stored delivery a chat message is built from. */
export type ChatMessage = Pick<RenderedMessage, "subject" | "text" | "link">;

// Slack's limits: a header's text at most 150 characters, a section's at most 3000.
const clip = (value: string, max: number) => (value.length > max ? `${value.slice(0, max - 1)}…` : value);

/** Slack's mrkdwn treats &, < and > as markup; everything else is literal. */
const escapeMrkdwn = (value: string) =>
  value.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c] as string);

/**
 * A Slack incoming-webhook message in Block Kit: the subject as header, the text as a section and a
 * button to the web app; `text` is the fallback notifications and old clients show.
 */
export function slackMessage(message: ChatMessage): Record<string, unknown> {
  return {
    text: message.subject,
    blocks: [
      { type: "header", text: { type: "plain_text", text: clip(message.subject, 150) } },
      { type: "section", text: { type: "mrkdwn", text: clip(escapeMrkdwn(message.text), 3000) } },
      {
        type: "actions",
        elements: [{ type: "button", text: { type: "plain_text", text: "Open" }, url: message.link }],
      },
    ],
  };
}

/**
 * A Microsoft Teams message carrying an Adaptive Card, the shape both incoming webhooks and workflow
 * ("Post to a channel when a webhook request is received") URLs take.
 */
export function teamsMessage(message: ChatMessage): Record<string, unknown> {
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            { type: "TextBlock", text: message.subject, weight: "Bolder", size: "Medium", wrap: true },
            { type: "TextBlock", text: message.text, wrap: true },
          ],
          actions: [{ type: "Action.OpenUrl", title: "Open", url: message.link }],
        },
      },
    ],
  };
}
