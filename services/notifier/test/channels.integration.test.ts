import { randomUUID } from "node:crypto";
import { ObjectiveAtRisk, ReminderDue } from "@okr/events";
import { waitFor } from "@okr/testkit";
import { describe, expect, it } from "vitest";
import { connectChatChannels, type Receiver, useChatReceivers } from "./receiver.ts";
import * as support from "./support.ts";

const notifier = support.useNotifier({
  WEB_URL: "http://web.example",
  ALLOW_LOCAL_WEBHOOK_URLS: "true",
  SENDER_POLL_MS: "100",
  DELIVERY_BACKOFF_MS: "50",
  DELIVERY_MAX_BACKOFF_MS: "200",
  // The weekly team digest would post to these channels too; team-digest.integration.test.ts covers it.
  DIGEST_POLL_MS: "3600000",
});

const chat = useChatReceivers();

/** A team with a leader and a member, known to the notifier; tokens for the leader, the member and an admin. */
async function knownTeamOf(tenant: string) {
  const team = support.teamChanged({ name: "Platform" });
  const leader = support.personChanged({ teams: [{ teamId: team.teamId, role: "leader" }] });
  const member = support.personChanged({ teams: [{ teamId: team.teamId, role: "member" }] });
  await support.publishPeople(notifier, tenant, [leader, member], team);
  const { service } = notifier;
  return {
    team,
    leader: support.apiFor(service, await service.token(["member"], tenant, leader.personId)),
    member: support.apiFor(service, await service.token(["member"], tenant, member.personId)),
    admin: support.apiFor(service, await service.token(["admin"], tenant)),
  };
}

const json = (request: { body: string }) => JSON.parse(request.body);

describe("team chat channels", () => {
  it("posts a team's reminder to its Slack and Teams channels once, though the event arrives twice", async () => {
    const tenant = randomUUID();
    const { team, leader, member, admin } = await knownTeamOf(tenant);
    const channels = `/teams/${team.teamId}/channels`;
    const slackPath = `/services/T0001/B0001/${randomUUID()}`;
    const teamsPath = `/webhookb2/${randomUUID()}`;

    expect((await member.put(`${channels}/slack`, { url: chat.slack.url(slackPath) })).status).toBe(403);
    const bad = await leader.put(`${channels}/slack`, { url: "ftp://hooks.slack.com/services/x" });
    expect(bad.status).toBe(400);
    expect(bad.headers["content-type"]).toMatch(/application\/problem\+json/);

    const set = await leader.put(`${channels}/slack`, { url: chat.slack.url(slackPath) });
    expect(set.status).toBe(200);
    expect(set.json().url).not.toContain(slackPath.slice(0, -4));
    expect((await admin.put(`${channels}/teams`, { url: chat.teams.url(teamsPath) })).status).toBe(200);
    const listed = await leader.get(channels);
    expect(listed.status).toBe(200);
    expect(listed.json().items.map((c: { kind: string }) => c.kind)).toEqual(["slack", "teams"]);
    expect(JSON.stringify(listed.json())).not.toContain(slackPath.slice(0, -4));
    expect(JSON.stringify(listed.json())).not.toContain(teamsPath.slice(0, -4));
    expect((await member.get(channels)).status).toBe(403);

    const cycleId = randomUUID();
    const eventId = randomUUID();
    const reminder = support.reminderDue({ kind: "team", id: team.teamId }, { cycleId });
    await support.publish(notifier.producer, ReminderDue, reminder, tenant, { id: eventId });
    await support.publish(notifier.producer, ReminderDue, reminder, tenant, { id: eventId });
    // A later reminder of the same cycle (same partition): once it is posted, the copy was consumed before it.
    const later = await support.publish(
      notifier.producer,
      ReminderDue,
      support.reminderDue({ kind: "team", id: team.teamId }, { cycleId, action: "retrospective" as never }),
      tenant,
    );
    const posts = (receiver: Receiver, path: string) => receiver.received.filter((r) => r.path === path);
    await waitFor("both reminders in both channels", async () => {
      const sent = [
        ...(await support.deliveriesOf(notifier, tenant, later.id)),
        ...(await support.deliveriesOf(notifier, tenant, eventId)),
      ]
        .filter((d) => d.channel === "slack" || d.channel === "teams")
        .filter((d) => d.state === "sent");
      return sent.length === 4;
    });
    expect(posts(chat.slack, slackPath)).toHaveLength(2);
    expect(posts(chat.teams, teamsPath)).toHaveLength(2);

    const slackMessage = json(posts(chat.slack, slackPath).find((r) => !r.body.includes("retrospective"))!);
    expect(slackMessage.text).toBe("Check in on your key results by 2026-12-07 09:00 UTC");
    expect(slackMessage.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: slackMessage.text },
    });
    expect(slackMessage.blocks[1].text.text).toContain("Hello Platform,");
    expect(slackMessage.blocks[2].elements[0].url).toBe(`http://web.example/cycles/${cycleId}`);
    const card = json(posts(chat.teams, teamsPath)[0]!).attachments[0];
    expect(card.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(card.content.type).toBe("AdaptiveCard");
    expect(card.content.actions[0]).toEqual({
      type: "Action.OpenUrl",
      title: "Open",
      url: `http://web.example/cycles/${cycleId}`,
    });
    expect(
      (await support.deliveriesOf(notifier, tenant, eventId))
        .filter((d) => d.channel !== "email" && d.channel !== "in-app")
        .map((d) => [d.channel, d.recipientId, d.state])
        .sort(),
    ).toEqual([
      ["slack", team.teamId, "sent"],
      ["teams", team.teamId, "sent"],
    ]);
  });

  it("posts an alert about an objective the team owns; a cleared channel gets nothing more", async () => {
    const tenant = randomUUID();
    const { team, leader } = await knownTeamOf(tenant);
    const { slackPath, teamsPath } = await connectChatChannels(chat, leader, team.teamId, "T0002/B0002");
    const channels = `/teams/${team.teamId}/channels`;

    const objective = support.objectiveUpserted(
      { kind: "team", id: team.teamId },
      { title: "Ship the channels" },
    );
    await support.publishObjectives(notifier, tenant, [objective]);
    const atRisk = support.objectiveAtRisk(objective.objectiveId);
    await support.publish(notifier.producer, ObjectiveAtRisk, atRisk, tenant);
    await waitFor("the alert in Slack", () => chat.slack.received.some((r) => r.path === slackPath));
    const alert = json(chat.slack.received.find((r) => r.path === slackPath)!);
    expect(alert.text).toBe("At risk: Ship the channels");
    expect(alert.blocks[2].elements[0].url).toBe(`http://web.example/objectives/${objective.objectiveId}`);

    expect((await leader.delete(`${channels}/slack`)).status).toBe(204);
    expect((await leader.delete(`${channels}/slack`)).status).toBe(404);
    const next = await support.publish(
      notifier.producer,
      ReminderDue,
      support.reminderDue({ kind: "team", id: team.teamId }),
      tenant,
    );
    await waitFor("the reminder in Teams", async () =>
      (await support.deliveriesOf(notifier, tenant, next.id)).some(
        (d) => d.channel === "teams" && d.state === "sent",
      ),
    );
    expect(
      (await support.deliveriesOf(notifier, tenant, next.id)).filter((d) => d.channel === "slack"),
    ).toEqual([]);
    expect(chat.slack.received.filter((r) => r.path === slackPath)).toHaveLength(1);
    expect(chat.teams.received.filter((r) => r.path === teamsPath)).toHaveLength(2);
  });
});
