import { describe, expect, it } from "vitest";
import { slackMessage, teamsMessage } from "../src/rules/chat.ts";
import { type DigestSummary, isEmptyDigest, renderDigest, renderTeamDigest } from "../src/rules/digest.ts";

const nothing: DigestSummary = { scoresMoved: [], atRisk: [], notCheckedIn: [], dueNext: [] };

const week: DigestSummary = {
  scoresMoved: [
    { title: "Faster checkout", from: 0.4, to: 0.25 },
    { title: "New market", from: null, to: 0.1 },
  ],
  atRisk: [{ title: "Faster checkout" }],
  notCheckedIn: [{ team: "Payments", people: ["Grace Hopper", "Linus <Torvalds>"] }],
  dueNext: [
    {
      subject: "Check in on your key results by 2026-12-11 09:00 UTC",
      dueAt: "2026-12-11T09:00:00.000Z",
      link: "http://web.example/cycles/c1",
    },
    {
      subject: "Hold the retrospective",
      dueAt: "2026-12-12T15:30:00.000Z",
      link: "http://web.example/cycles/c1",
    },
  ],
};

describe("a team's weekly digest", () => {
  it("tells the four sections of the week, greeting the team, and links to the web app", () => {
    const message = renderTeamDigest(week, " Payments ", "http://web.example//");
    expect(message.subject).toBe("Weekly digest of Payments");
    expect(message.link).toBe("http://web.example/");
    expect(message.text).toBe(
      [
        "Hello Payments,",
        "",
        "Scores that moved",
        "- Faster checkout: 40% -> 25%",
        "- New market: none -> 10%",
        "",
        "At risk",
        "- Faster checkout",
        "",
        "Not checked in",
        "- Payments: Grace Hopper, Linus <Torvalds>",
        "",
        "Due next week",
        "- Check in on your key results by 2026-12-11 09:00 UTC",
        "- Hold the retrospective (2026-12-12 15:30 UTC)",
        "",
        "Open the OKR platform: http://web.example/",
      ].join("\n"),
    );
    expect(message.html).toContain("Linus &lt;Torvalds&gt;");
  });

  it("leaves out sections without news, and is empty when none has any", () => {
    const text = renderTeamDigest(
      { ...nothing, atRisk: [{ title: "Faster checkout" }] },
      "Payments",
      "http://w",
    ).text;
    expect(text).toContain("At risk\n- Faster checkout");
    for (const absent of ["Scores that moved", "Not checked in", "Due next week"])
      expect(text).not.toContain(absent);
    expect(isEmptyDigest(nothing)).toBe(true);
    expect(isEmptyDigest({ ...nothing, dueNext: week.dueNext })).toBe(false);
    expect(isEmptyDigest({ ...nothing, held: [{ subject: "s", link: "l" }] })).toBe(false);
  });

  it("greets a team the replica knows no name of without one", () => {
    const message = renderTeamDigest(week, "", "http://web.example");
    expect(message.subject).toBe("Weekly team digest");
    expect(message.text.startsWith("Hello,\n")).toBe(true);
  });

  it("becomes a Block Kit message and an Adaptive Card carrying the whole summary", () => {
    const message = renderTeamDigest(week, "Payments", "http://web.example");
    const slack = slackMessage(message) as { blocks: { text?: { text: string } }[] };
    expect(slack.blocks[0]?.text?.text).toBe("Weekly digest of Payments");
    expect(slack.blocks[1]?.text?.text).toContain("- Faster checkout: 40% -&gt; 25%");
    expect(slack.blocks[1]?.text?.text).toContain("Linus &lt;Torvalds&gt;");
    const card = (teamsMessage(message) as { attachments: { content: { body: { text: string }[] } }[] })
      .attachments[0]?.content;
    expect(card?.body.map((block) => block.text)).toEqual([message.subject, message.text]);
  });
});

describe("a person's digest", () => {
  it("puts the held notifications before the same summary sections a team's digest has", () => {
    const message = renderDigest(
      { mode: "weekly", held: [{ subject: "At risk: Faster checkout", link: "http://w/o/1" }], ...week },
      "Ada",
      "http://web.example",
    );
    expect(message.subject).toBe("Your weekly digest: 1 notification");
    expect(message.text).toBe(
      renderTeamDigest(week, "Ada", "http://web.example").text.replace(
        "Hello Ada,\n\n",
        "Hello Ada,\n\nNotifications\n- At risk: Faster checkout (http://w/o/1)\n\n",
      ),
    );
  });
});
