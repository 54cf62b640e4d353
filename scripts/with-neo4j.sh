#!/usr/bin/env bash
# Run a command with a fresh local Neo4j 5.26 (and the neo4j_gml service, when available) in a
# temporary home, then stop them both, whatever the command's outcome.
#   scripts/with-neo4j.sh .venv/bin/python -m pytest -q
# GML_WITH_SERVICE=0 leaves the service to the command (the tests start their own, so that they
# may kill and restart it); Neo4j's plugin still points at GML_SERVICE_URL.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
py=${PY:-$here/.venv/bin/python}
home=$(mktemp -d "${TMPDIR:-/tmp}/neo4j-gml-home.XXXXXX")
cli=("$py" -m neo4j_gml.cli)
service_pid=""

cleanup() {
  local rc=$?
  if [ -n "$service_pid" ]; then kill "$service_pid" 2>/dev/null || true; wait "$service_pid" 2>/dev/null || true; fi
  "${cli[@]}" neo4j stop --home "$home" >/dev/null 2>&1 || true
  rm -rf "$home"
  exit $rc
}
trap cleanup EXIT INT TERM

free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

export NEO4J_PASSWORD=${NEO4J_PASSWORD:-neo4j-gml-password}
export NEO4J_GML_CDS=${NEO4J_GML_CDS:-0}
export GML_SERVICE_TOKEN=${GML_SERVICE_TOKEN:-$("$py" -c 'import secrets; print(secrets.token_hex(16))')}
export GML_SERVICE_URL=${GML_SERVICE_URL:-http://127.0.0.1:$(free_port)}

echo "starting Neo4j in $home" >&2
NEO4J_URI=$("${cli[@]}" neo4j start --home "$home" --port 0 --timeout 300 | tail -n 1)
export NEO4J_URI
echo "Neo4j answers at $NEO4J_URI" >&2

if [ "${GML_WITH_SERVICE:-1}" != 0 ] && "${cli[@]}" serve --help >/dev/null 2>&1; then
  "${cli[@]}" serve >"$home/service.log" 2>&1 &
  service_pid=$!
  for _ in $(seq 1 120); do
    if "$py" -c 'import os, sys, urllib.request; urllib.request.urlopen(os.environ["GML_SERVICE_URL"] + "/health", timeout=1); sys.exit(0)' 2>/dev/null; then break; fi
    if ! kill -0 "$service_pid" 2>/dev/null; then echo "the service died:" >&2; cat "$home/service.log" >&2; exit 1; fi
    sleep 0.5
  done
  echo "service answers at $GML_SERVICE_URL" >&2
fi

set +e
"$@"
rc=$?
set -e
exit $rc
