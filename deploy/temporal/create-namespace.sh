#!/bin/sh
# The namespace job: registers the namespace the workers poll and tfa's search attributes
# (Keyword), which workers never create themselves. Idempotent. docker-compose.yml runs it in
# temporalio/admin-tools; `npm run cluster` runs it with the Temporal CLI tfa builds.
set -eu
temporal=${TEMPORAL_CLI:-temporal}
namespace=${TEMPORAL_NAMESPACE:-default}
# As Temporal's own compose job does: dial the server's IPv4 address, not a name that may resolve to IPv6 first.
address=${TEMPORAL_ADDRESS:-temporal:7233}
ipv4=$(getent ahostsv4 "${address%:*}" 2>/dev/null | awk 'NR == 1 { print $1 }')
if [ -n "$ipv4" ]; then export TEMPORAL_ADDRESS="$ipv4:${address##*:}"; fi
"$temporal" operator cluster health
"$temporal" operator namespace describe --namespace "$namespace" >/dev/null 2>&1 ||
  "$temporal" operator namespace create --namespace "$namespace" --retention "${TEMPORAL_RETENTION:-7d}"
# A new namespace reaches the frontend's cache within seconds; until then calls in it are refused.
tries=0
until existing=$("$temporal" operator search-attribute list --namespace "$namespace" 2>/dev/null); do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then echo "namespace $namespace was not usable after 60 s" >&2; exit 1; fi
  sleep 1
done
for name in TfaAgent TfaStatus TfaPendingRequest; do
  case "$existing" in
    *" $name "*) ;;
    *) "$temporal" operator search-attribute create --namespace "$namespace" --name "$name" --type Keyword ;;
  esac
done
echo "namespace $namespace is ready with tfa's search attributes"
