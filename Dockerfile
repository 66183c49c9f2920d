# The tfa worker (worker/main.ts) for a Temporal server that runs elsewhere; see docker-compose.yml.
#   docker build -t tfa-worker .
#   docker run --rm -e TEMPORAL_ADDRESS=host.docker.internal:7233 -e OPENAI_API_KEY tfa-worker
FROM node:20-bookworm-slim

# DeployBot's tools shell out to git (rev-parse, archive) and tar.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git tar ca-certificates \
  && rm -rf /var/lib/apt/lists/* \
  # The repository DeployBot deploys from is mounted from the host, owned by another uid.
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
