/** Shared by the unit and integration tests: one document answers the question, two do not. */
export const QUESTION = "How does JetStream store messages durably for a stream?";

export const DOCUMENTS = [
  {
    id: "bread",
    text:
      "Sourdough bread rises with wild yeast instead of baker's yeast. The starter is fed with " +
      "flour and water every day. A long cold proof gives the crumb its open texture and sour taste.",
  },
  {
    id: "jetstream",
    text:
      "JetStream is the persistence layer of NATS. A stream stores messages durably on disk or in " +
      "memory, and consumers read the stored messages at their own pace. Acknowledged messages " +
      "can be removed by the stream's retention policy.",
  },
  {
    id: "garden",
    text:
      "Tomatoes need full sun and regular watering. Mulch keeps the soil moist in summer. Prune " +
      "the side shoots so the plant puts its energy into fruit.",
  },
];
