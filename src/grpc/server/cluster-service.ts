/** baton.v1.ClusterService over a BatonClient. */
import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import { agentToProto, demandToProto, queueStatsToProto } from "../convert.js";
import { unary, type ServiceContext } from "./calls.js";

interface CapabilityFilter {
  capability: string;
}

export function clusterServiceHandlers(ctx: ServiceContext): UntypedServiceImplementation {
  return {
    ListAgents: unary(ctx, "ListAgents", async (req: CapabilityFilter) => {
      const agents = await ctx.client.listAgents(
        req.capability ? { capability: req.capability } : {},
      );
      return { agents: agents.map(agentToProto) };
    }),
    GetQueueStats: unary(ctx, "GetQueueStats", async (req: CapabilityFilter) => {
      const queues = await ctx.client.queueStats(
        req.capability ? { capability: req.capability } : {},
      );
      return { queues: queues.map(queueStatsToProto) };
    }),
    GetDemand: unary(ctx, "GetDemand", async (req: CapabilityFilter) => {
      const demand = await ctx.client.demand(req.capability ? { capability: req.capability } : {});
      return { demand: demand.map(demandToProto) };
    }),
  };
}
