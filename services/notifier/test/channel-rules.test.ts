import { describe, expect, it } from "vitest";
import { slackMessage, teamsMessage } from "../src/rules/chat.ts";
import { maskUrl, outboundUrlProblem } from "../src/rules/outbound-urls.ts";
import { newWebhookSecret, webhookSignature } from "../src/rules/signature.ts";
import { verifyWebhook } from "./standard-webhooks.ts";

describe("chat and webhook URLs", () => {
  const strict = (kind: "slack" | "teams" | "webhook", url: string) => outboundUrlProblem(kind, url, false);

  it("takes the platforms' own webhook hosts over https", () => {
    expect(strict("slack", "https://hooks.slack.com/services/T0/B0/abc")).toBeNull();
    expect(strict("teams", "https://contoso.webhook.office.com/webhookb2/abc")).toBeNull();
    expect(strict("teams", "https://prod-01.westeurope.logic.azure.com:443/workflows/abc")).toBeNull();
    expect(
      strict("teams", "https://default1.environment.api.powerplatform.com/powerautomate/abc"),
    ).toBeNull();
    expect(strict("webhook", "https://hooks.example.com/okr")).toBeNull();
    expect(strict("webhook", "https://8.8.8.8/okr")).toBeNull();
  });

  it("refuses other hosts, plain http, credentials and this machine or private networks", () => {
    expect(strict("slack", "https://hooks.slack.com.evil.example/services/x")).toMatch(/hooks.slack.com/);
    expect(strict("teams", "https://webhook.office.com.evil.example/x")).toMatch(/Teams/);
    expect(strict("webhook", "http://hooks.example.com/okr")).toMatch(/https/);
    expect(strict("webhook", "https://a:b@hooks.example.com/okr")).toMatch(/user name/);
    for (const host of [
      "127.0.0.1",
      "10.1.2.3",
      "192.168.0.9",
      "169.254.169.254",
      "[::1]",
      "[fd00::1]",
      "localhost",
    ])
      expect(strict("webhook", `https://${host}/okr`)).not.toBeNull();
    expect(strict("webhook", "/relative")).toMatch(/absolute/);
    expect(strict("webhook", `https://example.com/${"x".repeat(2001)}`)).toMatch(/longer/);
  });

  it("takes http and any host when local URLs are allowed (development, tests)", () => {
    expect(outboundUrlProblem("slack", "http://127.0.0.1:4000/services/x", true)).toBeNull();
    expect(outboundUrlProblem("webhook", "ftp://127.0.0.1/x", true)).toMatch(/http/);
  });

  it("masks all but the scheme, host and last four characters", () => {
    expect(maskUrl("https://hooks.slack.com/services/T0/B0/abcdefgh1234")).toBe(
      "https://hooks.slack.com/…1234",
    );
    expect(maskUrl("https://hooks.slack.com/abc")).toBe("https://hooks.slack.com/…");
  });
});

describe("chat messages", () => {
  const message = {
    subject: "At risk: <Ship>",
    text: "Hello Platform,\n\nIt is at risk & late.",
    link: "http://w/o/1",
  };

  it("is Block Kit for Slack, its mrkdwn escaped", () => {
    expect(slackMessage(message)).toEqual({
      text: "At risk: <Ship>",
      blocks: [
        { type: "header", text: { type: "plain_text", text: "At risk: <Ship>" } },
        { type: "section", text: { type: "mrkdwn", text: "Hello Platform,\n\nIt is at risk &amp; late." } },
        {
          type: "actions",
          elements: [{ type: "button", text: { type: "plain_text", text: "Open" }, url: "http://w/o/1" }],
        },
      ],
    });
  });

  it("clips a header to Slack's 150 characters", () => {
    const header = (
      slackMessage({ ...message, subject: "x".repeat(200) }).blocks as { text: { text: string } }[]
    )[0];
    expect(header?.text.text).toHaveLength(150);
  });

  it("is an Adaptive Card for Teams", () => {
    const card = (
      teamsMessage(message).attachments as { contentType: string; content: Record<string, unknown> }[]
    )[0];
    expect(card?.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(card?.content.body).toEqual([
      { type: "TextBlock", text: "At risk: <Ship>", weight: "Bolder", size: "Medium", wrap: true },
      { type: "TextBlock", text: message.text, wrap: true },
    ]);
  });
});

describe("webhook signatures", () => {
  it("matches the Standard Webhooks reference example", () => {
    // The example of the spec's reference libraries (standard-webhooks/standard-webhooks).
    expect(
      webhookSignature(
        ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("signs with every secret given, space-separated; a receiver with either accepts", () => {
    const [oldSecret, newSecret] = [newWebhookSecret(), newWebhookSecret()];
    const timestamp = Math.floor(Date.now() / 1000);
    const body = '{"id":"e1"}';
    const signature = webhookSignature([newSecret, oldSecret], "e1", timestamp, body);
    const headers = {
      "webhook-id": "e1",
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signature,
    };
    expect(signature.split(" ")).toHaveLength(2);
    expect(verifyWebhook(oldSecret, headers, body)).toBe(true);
    expect(verifyWebhook(newSecret, headers, body)).toBe(true);
    expect(verifyWebhook(newWebhookSecret(), headers, body)).toBe(false);
    expect(verifyWebhook(newSecret, headers, '{"id":"e2"}')).toBe(false);
  });
});
