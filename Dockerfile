# One image for Baton's gateway and agents; the command picks the role:
#   docker run baton gateway ...      docker run baton agent agents/summarize
FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY proto ./proto
COPY src ./src
COPY agents ./agents
USER node
ENTRYPOINT ["node", "bin/baton.mjs"]
