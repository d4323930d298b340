export type {
  AgentSnapshot,
  Bid,
  GpuGroup,
  PlacementTask,
  Requirements,
  Resources,
} from "./types.js";
export {
  cpuSlotsOf,
  eligibility,
  gpuGroupFor,
  isConstrained,
  isEligible,
  normalizeRequirements,
  resourceClass,
  unmetReason,
  type Eligibility,
  type NormalizedRequirements,
} from "./match.js";
export {
  chooseWinner,
  DEFAULT_WEIGHTS,
  fitOf,
  rankBids,
  scoreBid,
  type ScoreWeights,
} from "./score.js";
export { placeTask, type Placement } from "./place.js";
export {
  adjustCounts,
  applicableLimits,
  canStart,
  limitKey,
  limitKeys,
  validateLimits,
  type ConcurrencyLimit,
  type LimitVerdict,
  type RunningCounts,
} from "./concurrency-limit.js";
