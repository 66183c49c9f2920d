#!/bin/sh
# The namespace job: registers the namespace the workers poll and tfa's search attributes
# (Keyword), which workers never create themselves. Idempotent. docker-compose.yml runs it in
# temporalio/admin-tools; `npm run cluster` runs it with the Temporal CLI tfa builds.
set -eu
temporal=${TEMPORAL_CLI:-temporal}
namespace=${TEMPORAL_NAMESPACE:-default}
"$temporal" operator cluster health
"$temporal" operator namespace describe --namespace "$namespace" >/dev/null 2>&1 ||
  "$temporal" operator namespace create --namespace "$namespace" --retention "${TEMPORAL_RETENTION:-7d}"
existing=$("$temporal" operator search-attribute list --namespace "$namespace")
for name in TfaAgent TfaStatus TfaPendingRequest; do
  case "$existing" in
    *" $name "*) ;;
    *) "$temporal" operator search-attribute create --namespace "$namespace" --name "$name" --type Keyword ;;
  esac
done
echo "namespace $namespace is ready with tfa's search attributes"
