# The tfa worker (worker/main.ts) for a Temporal server that runs elsewhere. docker-compose.yml
# builds it and runs it next to Temporal; it is configured by the same environment variables as
# `npm start` (core/config.ts), e.g. TEMPORAL_ADDRESS, TFA_TASK_QUEUE, OPENAI_API_KEY.
FROM node:20-bookworm-slim

# DeployBot's tools shell out to git (rev-parse, archive) and tar. The repository it deploys
# from is mounted from the host and owned by another uid, which git refuses unless it is marked safe.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git tar ca-certificates \
  && rm -rf /var/lib/apt/lists/* \
  && git config --system --add safe.directory '*'

WORKDIR /app

# Dependencies first, so a source change does not reinstall them. Dev dependencies (jest,
# typescript, ...) are not needed to run the worker: tsx is a runtime dependency.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
  && npm cache clean --force

COPY . .

# The code stays root-owned and read-only to the worker; only the data directory (the
# DeployBot release store, TFA_DATA_DIR) is writable. A named volume mounted on /app/.data
# takes this ownership when it is first created.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node

CMD ["npx", "tsx", "worker/main.ts"]
