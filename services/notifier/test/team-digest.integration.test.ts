import { randomUUID } from "node:crypto";
import { CheckInRecorded, ObjectiveUpserted, PersonChanged, TeamChanged } from "@okr/events";
import { waitFor } from "@okr/testkit";
import { describe, expect, it } from "vitest";
import { TeamDigestScheduler } from "../src/delivery/team-digest-scheduler.ts";
import { digestPeriod } from "../src/rules/schedule.ts";
import { connectChatChannels, type Receiver, useChatReceivers } from "./receiver.ts";
import * as support from "./support.ts";

// The service's own schedulers poll hourly here: the test builds the digests with its own clock.
const notifier = support.useNotifier({
  WEB_URL: "http://web.example",
  ALLOW_LOCAL_WEBHOOK_URLS: "true",
  SENDER_POLL_MS: "100",
  DIGEST_POLL_MS: "3600000",
});

const chat = useChatReceivers();

const query = async <T extends Record<string, unknown>>(sql: string, params: unknown[]) =>
  (await notifier.service.runtime.pool.query<T>(sql, params)).rows;

const teamDigestsOf = (teamId: string) =>
  query<{ event_id: string; channel: string; state: string; skip_reason: string | null }>(
    `select event_id, channel, state, skip_reason from deliveries
      where recipient_id = $1 and event_id like 'team-digest:%' order by channel`,
    [teamId],
  );

const admin = async (tenant: string) =>
  support.apiFor(notifier.service, await notifier.service.token(["admin"], tenant));

/** Publishes a team and its people (`members`: name and role) and waits until the notifier knows them. */
async function knownTeam(
  tenant: string,
  name: string,
  members: { name: string; role: "leader" | "member" }[],
) {
  const team = support.teamChanged({ name });
  const people = members.map((member) =>
    support.personChanged({ name: member.name, teams: [{ teamId: team.teamId, role: member.role }] }),
  );
  await support.publish(notifier.producer, TeamChanged, team, tenant);
  for (const person of people) await support.publish(notifier.producer, PersonChanged, person, tenant);
  await waitFor(`the notifier to learn ${name}`, async () => {
    const known = await query("select 1 from teams where tenant_id = $1 and team_id = $2", [
      tenant,
      team.teamId,
    ]);
    const members = await query("select 1 from team_members where tenant_id = $1 and team_id = $2", [
      tenant,
      team.teamId,
    ]);
    return known.length === 1 && members.length === people.length;
  });
  return { team, people };
}

describe("weekly team digest", () => {
  it("posts each team's week to its Slack and Teams channels once, at the tenant's digest time", async () => {
    const tenant = randomUUID();
    const api = await admin(tenant);
    expect(
      (
        await api.put("/preferences/defaults", {
          timeZone: "Europe/Berlin",
          digestTime: "09:30",
          digestWeekday: 5,
        })
      ).status,
    ).toBe(200);
    // A clock a week ahead, an hour into the tenant's weekly period (Friday 09:30 in Berlin).
    const period = digestPeriod(new Date(Date.now() + 7 * 86_400_000), "Europe/Berlin", "weekly", {
      at: 9 * 60 + 30,
      weekday: 5,
    });
    const clock = new Date(period.at.getTime() + 60 * 60_000);

    const { team, people } = await knownTeam(tenant, "Payments", [
      { name: "Ada Lovelace", role: "leader" },
      { name: "Grace Hopper", role: "member" },
    ]);
    const [ada] = people;
    const quiet = await knownTeam(tenant, "Quiet", [{ name: "Alan Turing", role: "member" }]);
    const { slackPath, teamsPath } = await connectChatChannels(chat, api, team.teamId, "T0003/B0003");

    // The team's objective moved from 40% to 25% in the week and is at risk; Ada checked in, Grace did not.
    const objective = support.objectiveUpserted(
      { kind: "team", id: team.teamId },
      { title: "Faster checkout" },
    );
    await support.publish(notifier.producer, ObjectiveUpserted, objective, tenant);
    await support.publishScoreMoved(notifier.producer, objective, period, tenant);
    await support.publish(
      notifier.producer,
      CheckInRecorded,
      {
        checkInId: randomUUID(),
        keyResultId: randomUUID(),
        objectiveId: objective.objectiveId,
        cycleId: objective.cycleId,
        value: 3,
        confidence: 0.7,
        note: "",
        evidence: {},
        authorId: ada?.personId ?? null,
        source: "person",
        recordedAt: new Date(period.at.getTime() - 86_400_000).toISOString(),
      },
      tenant,
    );
    const reminder = await support.publishReminderAfter(
      notifier.producer,
      { kind: "team", id: team.teamId },
      period,
      tenant,
    );
    await waitFor("the activity and the reminder to be learnt", async () => {
      const scores = await query("select 1 from objective_scores where objective_id = $1", [
        objective.objectiveId,
      ]);
      const checkIns = await query("select 1 from check_ins where tenant_id = $1", [tenant]);
      const reminders = await query("select 1 from deliveries where event_id = $1 and due_at is not null", [
        reminder.id,
      ]);
      return scores.length === 2 && checkIns.length === 1 && reminders.length > 0;
    });

    // Another tenant's team with a channel: its own (empty) week, nothing of this tenant's.
    const other = randomUUID();
    const elsewhere = await knownTeam(other, "Elsewhere", []);
    const elsewherePath = `/services/T0004/B0004/${randomUUID()}`;
    expect(
      (
        await (
          await admin(other)
        ).put(`/teams/${elsewhere.team.teamId}/channels/slack`, {
          url: chat.slack.url(elsewherePath),
        })
      ).status,
    ).toBe(200);

    const scheduler = new TeamDigestScheduler(notifier.service.runtime, { clock: () => clock });
    expect(await scheduler.runOnce()).toBe(2);
    const digestPosts = (receiver: Receiver, path: string) =>
      receiver.received.filter((r) => r.path === path && r.body.includes("Weekly digest of"));
    await waitFor(
      "the digest in both channels",
      () =>
        digestPosts(chat.slack, slackPath).length === 1 && digestPosts(chat.teams, teamsPath).length === 1,
      30_000,
    );

    const due = new Date(period.at.getTime() + 2 * 86_400_000).toISOString().slice(0, 16).replace("T", " ");
    const sections = [
      "Scores that moved",
      "Faster checkout: 40% -> 25%",
      "At risk\n- Faster checkout",
      "Not checked in\n- Payments: Grace Hopper",
      `Due next week\n- Check in on your key results by ${due} UTC\n`,
    ];
    const slackMessage = JSON.parse(digestPosts(chat.slack, slackPath)[0]?.body ?? "{}");
    expect(slackMessage.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "Weekly digest of Payments" },
    });
    // Slack's mrkdwn takes > as markup: the section carries it escaped, and Slack shows ">".
    const slackText = (slackMessage.blocks[1].text.text as string).replaceAll("&gt;", ">");
    for (const expected of ["Hello Payments,", ...sections]) expect(slackText).toContain(expected);
    expect(slackText).not.toContain("Ada Lovelace");
    expect(slackMessage.blocks[2].elements[0].url).toBe("http://web.example/");
    const card = JSON.parse(digestPosts(chat.teams, teamsPath)[0]?.body ?? "{}").attachments[0].content;
    expect(card.type).toBe("AdaptiveCard");
    expect(card.body[0].text).toBe("Weekly digest of Payments");
    for (const expected of sections) expect(card.body[1].text).toContain(expected);

    const eventId = `team-digest:${period.key}`;
    expect(eventId).toMatch(/^team-digest:weekly:\d{4}-\d{2}-\d{2}$/);
    const posted = await waitFor("the posts to be marked sent", async () => {
      const rows = await teamDigestsOf(team.teamId);
      return rows.every((row) => row.state === "sent") && rows;
    });
    expect(posted).toEqual([
      { event_id: eventId, channel: "slack", state: "sent", skip_reason: null },
      { event_id: eventId, channel: "teams", state: "sent", skip_reason: null },
    ]);

    // A second scheduler (another replica) later in the same week, and the first again: nothing more.
    const again = new TeamDigestScheduler(notifier.service.runtime, {
      clock: () => new Date(clock.getTime() + 2 * 86_400_000),
    });
    expect(await again.runOnce()).toBe(0);
    expect(await scheduler.runOnce()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(digestPosts(chat.slack, slackPath)).toHaveLength(1);
    expect(digestPosts(chat.teams, teamsPath)).toHaveLength(1);
    expect(await teamDigestsOf(team.teamId)).toHaveLength(2);

    // A team without a channel gets nothing; the other tenant's team had nothing to say (skipped, empty).
    expect(await teamDigestsOf(quiet.team.teamId)).toEqual([]);
    const elsewhereDigests = await teamDigestsOf(elsewhere.team.teamId);
    expect(elsewhereDigests).toHaveLength(1);
    expect(elsewhereDigests[0]).toMatchObject({ channel: "slack", state: "skipped", skip_reason: "empty" });
    expect(elsewhereDigests[0]?.event_id).toMatch(/^team-digest:weekly:/);
    expect(chat.slack.received.filter((r) => r.path === elsewherePath)).toEqual([]);
  });
});
