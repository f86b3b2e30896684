import type { SqlRunner } from "@okr/database";

export interface HeatmapRow {
  team_id: string;
  team_name: string;
  parent_team_id: string;
  depth: number;
  objective_id: string | null;
  title: string | null;
  score: number | null;
  band: string | null;
  at_risk: boolean | null;
}

/**
 * The teams below `teamId` (down to `maxDepth` levels, parents before their children, siblings by name),
 * each with its open objectives of the cycle and their latest scores: one row per team and objective, a
 * team without objectives as one row of nulls. The depth bound also ends the walk should the tree ever
 * hold a loop.
 */
export async function teamHeatmapRows(
  db: SqlRunner,
  tenantId: string,
  cycleId: string,
  teamId: string,
  maxDepth: number,
): Promise<HeatmapRow[]> {
  const { rows } = await db.query<HeatmapRow>(
    `with recursive below as (
       select t.id, t.name, t.parent_team_id, 1 as depth, array[t.name || ' ' || t.id::text] as path
         from teams t
        where t.tenant_id = $1 and t.parent_team_id = $3
       union all
       select t.id, t.name, t.parent_team_id, b.depth + 1, b.path || (t.name || ' ' || t.id::text)
         from teams t join below b on t.parent_team_id = b.id
        where t.tenant_id = $1 and b.depth < $4
     )
     select b.id as team_id, b.name as team_name, b.parent_team_id, b.depth,
            o.id as objective_id, o.title, s.score, s.band, s.at_risk
       from below b
       left join objectives o
         on o.tenant_id = $1 and o.cycle_id = $2 and o.owner_kind = 'team' and o.owner_id = b.id
        and o.state <> 'closed'
       left join objective_scores s on s.tenant_id = $1 and s.objective_id = o.id
      order by b.path, o.created_at, o.id`,
    [tenantId, cycleId, teamId, maxDepth],
  );
  return rows;
}
