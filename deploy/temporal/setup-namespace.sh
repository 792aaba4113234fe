#!/bin/sh
# Creates the namespace and registers the search attributes the workflows
# set, once the server answers. Safe to run again.
set -eu
ns=${NAMESPACE:-default}
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  echo "waiting for temporal at $TEMPORAL_ADDRESS"
  sleep 3
done
temporal operator namespace describe -n "$ns" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1 ||
  temporal operator namespace create -n "$ns" --address "$TEMPORAL_ADDRESS"
for attr in MailroomOrgID DirectorySyncState; do
  temporal operator search-attribute create -n "$ns" --address "$TEMPORAL_ADDRESS" \
    --name "$attr" --type Keyword 2>/dev/null || echo "search attribute $attr exists"
done
echo "namespace $ns ready"
