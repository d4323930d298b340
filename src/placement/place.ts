import { isEligible, unmetReason } from "./match.js";
import { chooseWinner, rankBids, scoreBid, type ScoreWeights } from "./score.js";
import type { AgentSnapshot, Bid, PlacementTask } from "./types.js";

export interface Placement {
  /** Bids of eligible agents, best first. */
  bids: Bid[];
  winner?: Bid;
  /** Why nobody can run the task, when no agent is eligible. */
  reason?: string;
}

/** Match, score and pick in one go: the winner, if any, always satisfies the requirements. */
export function placeTask(
  agents: readonly AgentSnapshot[],
  capability: string,
  task: PlacementTask,
  weights?: Partial<ScoreWeights>,
): Placement {
  const bids = rankBids(
    agents
      .filter((a) => isEligible(a, capability, task.requirements))
      .map((a) => scoreBid(a, task, weights)),
  );
  const winner = chooseWinner(bids);
  if (winner) return { bids, winner };
  return { bids, reason: unmetReason(agents, capability, task.requirements) ?? "no agent bid" };
}
