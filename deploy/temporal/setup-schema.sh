#!/bin/sh
# The schema job: creates Temporal's two PostgreSQL databases and brings their schemas to the
# newest version the tool ships. Every command is idempotent, so it runs again on each
# `docker compose up` and only a newer image changes anything. docker-compose.yml runs it in
# temporalio/admin-tools; `npm run cluster` runs it with the tool built from Temporal's Go module.
set -eu
tool=${TEMPORAL_SQL_TOOL:-temporal-sql-tool}
schemas=${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}
for database in temporal:temporal temporal_visibility:visibility; do
  name=${database%%:*}
  "$tool" --plugin postgres12 --db "$name" create-database
  "$tool" --plugin postgres12 --db "$name" setup-schema -v 0.0
  "$tool" --plugin postgres12 --db "$name" update-schema -d "$schemas/${database##*:}/versioned"
done
echo "Temporal's schemas are up to date"
