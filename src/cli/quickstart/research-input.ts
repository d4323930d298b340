import { DOCUMENTS, QUESTION } from "../../../agents/research/fixtures.js";
import type { ResearchInput } from "../../../agents/research/input.js";

type Doc = ResearchInput["documents"][number];

function doc(id: string, ...sentences: string[]): Doc {
  return { id, text: sentences.join(" ") };
}

/**
 * The research fixtures plus more documents. Sub-tasks prefer the summarize process that ran
 * their siblings (affinity) until its 4 slots are full, so it takes a dozen to keep both busy.
 */
export const RESEARCH_INPUT: ResearchInput = {
  question: QUESTION,
  documents: [
    ...DOCUMENTS,
    doc(
      "nats-core",
      "Core NATS delivers each message at most once to the subscribers connected at that moment.",
      "A subscriber that is offline misses what was published.",
      "Subjects route each message to every interested subscriber.",
    ),
    doc(
      "kv",
      "The NATS key-value store is built on a JetStream stream.",
      "Each key is a subject and each revision is a stored message.",
      "A watcher sees every update to the keys it follows.",
    ),
    doc(
      "replicas",
      "A clustered stream keeps replicas of its messages on several servers.",
      "The replicas agree on every write through the Raft protocol.",
      "A stream with three replicas survives the loss of one server.",
    ),
    doc(
      "object-store",
      "The object store splits large files into chunks kept in a stream.",
      "Each object has a name, a size and a digest.",
      "Readers fetch the chunks in order and check the digest.",
    ),
    doc(
      "coffee",
      "Espresso is brewed by forcing hot water through finely ground coffee.",
      "A good shot takes about thirty seconds.",
      "The crema on top holds most of the aroma.",
    ),
    doc(
      "cycling",
      "Check the tyre pressure before every ride.",
      "A chain that is cleaned and oiled often lasts longer.",
      "Lights keep a cyclist visible at dusk.",
    ),
    doc(
      "chess",
      "Control of the centre gives the pieces room to move.",
      "Develop the knights and bishops before the queen.",
      "Castle early to keep the king safe.",
    ),
    doc(
      "lighthouse",
      "A lighthouse warns ships of rocks near the coast.",
      "Each light flashes in its own pattern so sailors can tell them apart.",
      "Most lighthouses are automated today.",
    ),
    doc(
      "bees",
      "A honeybee colony has one queen and thousands of workers.",
      "Workers gather nectar and pollen from flowers.",
      "The hive stores honey for the winter.",
    ),
  ],
  top: 3,
};
