# The tfa image: the worker by default (worker/main.ts); docker-compose.yml also runs the gateway
# from it (scripts/gateway.ts). Configured by the same environment as `npm start` (core/config.ts)
# and Temporal's client variables (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, ...).
FROM node:22-bookworm-slim

# DeployBot's tools shell out to git (rev-parse, archive) and tar. The repository it deploys
# from is mounted from the host and owned by another uid, which git refuses unless it is marked safe.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git tar ca-certificates \
  && rm -rf /var/lib/apt/lists/* \
  && git config --system --add safe.directory '*'

WORKDIR /app

# Dependencies first, so a source change does not reinstall them. Dev dependencies (jest,
# typescript, ...) are not needed at run time: tsx is a runtime dependency.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
  && npm cache clean --force

COPY . .

# The workflows are bundled once, here: every worker replica loads this file instead of running
# webpack at start (TFA_WORKFLOW_BUNDLE), and all of them run exactly the same workflow code.
RUN node --import tsx scripts/bundle-workflows.ts dist/workflow-bundle.js
ENV TFA_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js

# The code stays root-owned and read-only to the worker; only the data directory (the
# DeployBot release store, TFA_DATA_DIR) is writable. A named volume mounted on /app/.data
# takes this ownership when it is first created.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node

# glibc gives each thread that mallocs an arena of its own (up to 8 per core) and never returns them:
# the Temporal core's threads left ~40 MB more behind after 1,000 runs started waiting. Two suffice
# (npm start and npm run worker set the same).
ENV MALLOC_ARENA_MAX=2

# node itself (tsx as its loader, not the tsx CLI): SIGTERM reaches the worker, which finishes its tasks and exits.
CMD ["node", "--import", "tsx", "worker/main.ts"]
