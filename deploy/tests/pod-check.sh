#!/usr/bin/env bash
# The pod of deploy/kubernetes/VARIANT (sqlite, the default, or postgresql), played on this
# machine with the real parts: the
# ConfigMap's ledgerbridge.ini, the environment the Deployment gives it (fake secret values),
# `ledgerbridge serve` from the build and nginx with deploy/container/webhook-proxy.conf.
#   1. `config validate` of the ConfigMap's file reports exactly its two placeholders (client_id
#      and company_id), nothing else: every env: reference resolves from the Deployment's env;
#   2. serve starts on [service] listen; the Deployment's own probe commands (curl) pass:
#      startup and liveness /healthz, readiness /readyz;
#   3. through the proxy: POST /webhooks/pleo reaches the service (its own refusal of an
#      unsigned webhook, not nginx's; a signed one verified and accepted, its repeat known),
#      GET /metrics and /attention are refused (404) and GET /webhooks/pleo is refused (403);
#      /metrics still answers on loopback;
#   4. SIGTERM: serve exits 0 well within the pod's terminationGracePeriodSeconds.
# Ports are moved to free ones (the manifests' 9464 and 8080 may be in use here); the file is
# switched from production to the built-in staging profile, since production refuses to run
# before a promotion. With no grant, the connection never reaches Pleo.
# postgresql: the Secret's state-url and state-db-password are a schema of its own on the server
# of scripts/with-postgres (LEDGERBRIDGE_TEST_PG_URL, LEDGERBRIDGE_TEST_PG_PASSWORD); without
# them only step 1 runs and the check exits 77 (CTest: skipped).
#   pod-check.sh BUILD_DIR SOURCE_DIR [VARIANT]
set -euo pipefail
build=$(cd "$1" && pwd) source=$(cd "$2" && pwd) variant=${3:-sqlite}
bin=$build/bin/ledgerbridge
tooling=$source/tests/tooling
work=$(mktemp -d)
serve="" proxy=""
cleanup() {
    [ -n "$serve" ] && kill -KILL "$serve" 2>/dev/null && wait "$serve" 2>/dev/null
    [ -n "$proxy" ] && kill -TERM "$proxy" 2>/dev/null && wait "$proxy" 2>/dev/null
    [ -n "${POD_CHECK_KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    for log in "$work"/*.log; do [ -s "$log" ] && { echo "--- $log" >&2; tail -20 "$log" >&2; }; done
    exit 1
}
command -v nginx > /dev/null || fail "nginx is not installed (scripts/setup installs nginx-light)"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# What the rendered variant gives the ledgerbridge container: the config file, its
# environment variable names, the probe commands and the grace period, as shell assignments.
node --input-type=module -e '
    import { loadTooling, renderKustomization } from "'"$source"'/deploy/tests/render.mjs";
    const objects = renderKustomization(loadTooling(process.argv[1]), process.argv[2]);
    const deployment = objects.find((o) => o.kind === "Deployment");
    const pod = deployment.spec.template.spec;
    const main = pod.containers.find((c) => c.name === "ledgerbridge");
    const config = objects.find((o) => o.kind === "ConfigMap").data["ledgerbridge.ini"];
    const q = (s) => "\x27" + s.replace(/\x27/g, "\x27\\\x27\x27") + "\x27";
    console.log(`config=${q(config)}`);
    console.log(`env_names=(${main.env.map((e) => e.name).join(" ")})`);
    for (const p of ["startupProbe", "livenessProbe", "readinessProbe"]) console.log(`${p}=(${main[p].exec.command.map(q).join(" ")})`);
    console.log(`termination_grace=${pod.terminationGracePeriodSeconds}`);
' "$tooling" "$source/deploy/kubernetes/$variant" > "$work/pod.sh" || fail "the $variant variant did not render"
# shellcheck disable=SC1091
source "$work/pod.sh"
printf '%s' "$config" > "$work/ledgerbridge.ini"

# The Secret's values (fake) under the names the Deployment gives them.
for name in "${env_names[@]}"; do
    case $name in
        STATE_TOKEN_KEY) export "$name=$(openssl rand -base64 32)" ;;
        PLEO_WEBHOOK_SECRET) export "$name=whsec_$(openssl rand -base64 24)" ;;
        LEDGERBRIDGE_STATE_URL | STATE_DB_PASSWORD) ;;  # below: the test's database
        *) export "$name=pod-check-$(openssl rand -hex 12)" ;;
    esac
done
# Paths of the image moved under $work; plugins from the build.
export LEDGERBRIDGE_STATE_DIR=$work/state LEDGERBRIDGE_PLUGINS_DIR=$build/lib/ledgerbridge/plugins
export LEDGERBRIDGE_CONNECTION_ACME_SETTING_OUTPUT_DIR=$work/exports

pg_schema=""
if [ "$variant" = postgresql ]; then
    export STATE_DB_PASSWORD=pod-check-$(openssl rand -hex 12)
    export LEDGERBRIDGE_STATE_URL="postgresql://ledgerbridge@ledgerbridge-postgresql:5432/ledgerbridge"
    if [ -n "${LEDGERBRIDGE_TEST_PG_URL:-}" ]; then
        pg_schema=podcheck_$$_$RANDOM
        PGPASSWORD=$LEDGERBRIDGE_TEST_PG_PASSWORD psql -q -v ON_ERROR_STOP=1 "$LEDGERBRIDGE_TEST_PG_URL" \
            -c "CREATE SCHEMA $pg_schema" > /dev/null || fail "cannot create a schema on $LEDGERBRIDGE_TEST_PG_URL"
        drop_schema() { PGPASSWORD=$LEDGERBRIDGE_TEST_PG_PASSWORD psql -q "$LEDGERBRIDGE_TEST_PG_URL" -c "DROP SCHEMA $pg_schema CASCADE" > /dev/null 2>&1 || true; }
        trap 'drop_schema; cleanup' EXIT
        export STATE_DB_PASSWORD=$LEDGERBRIDGE_TEST_PG_PASSWORD
        export LEDGERBRIDGE_STATE_URL="$LEDGERBRIDGE_TEST_PG_URL?options=-csearch_path%3D$pg_schema"
    fi
fi

echo "== 1. config validate of the ConfigMap's file"
set +e
"$bin" --config "$work/ledgerbridge.ini" config validate > "$work/validate.log" 2>&1
code=$?
set -e
[ $code -eq 2 ] || fail "config validate exited $code, expected 2 (the two placeholders)"
problems=$(grep -c '^  .*ledgerbridge.ini:[0-9]*: ' "$work/validate.log" || true)
[ "$problems" -eq 2 ] && grep -q "environment.production.client_id: 'REPLACE-WITH-" "$work/validate.log" &&
    grep -q "connection.acme.company_id: '00000000-" "$work/validate.log" ||
    fail "config validate reported other problems than the two placeholders: $(cat "$work/validate.log")"
echo "ok: exit 2 with exactly the client_id and company_id placeholders"
if [ "$variant" = postgresql ] && [ -z "$pg_schema" ]; then
    echo "pod-check: skipped steps 2-4: no PostgreSQL server (LEDGERBRIDGE_TEST_PG_URL); run under scripts/with-postgres (CI does)"
    exit 77
fi

echo "== 2. serve and the Deployment's probes"
port=$(free_port)
sed -e 's/^client_id = REPLACE-WITH-YOUR-PRODUCTION-CLIENT-ID$/client_id = pod-check-client/' \
    -e 's/^company_id = 00000000-0000-4000-8000-000000000000$/company_id = 5b0c2f7e-3d7a-4c1e-9a51-0d6f3e2a7c11/' \
    -e 's/^environment = production$/environment = staging/' -e 's/^\[environment\.production\]$/[environment.staging]/' \
    -e "s/^listen = 127\.0\.0\.1:9464$/listen = 127.0.0.1:$port/" "$work/ledgerbridge.ini" > "$work/running.ini"
grep -q "^listen = 127.0.0.1:$port$" "$work/running.ini" || fail "the ConfigMap's file has no 'listen = 127.0.0.1:9464' to move"
"$bin" --config "$work/running.ini" serve > "$work/serve.log" 2>&1 &
serve=$!
on_port() { local a=() w; for w in "$@"; do a+=("${w/127.0.0.1:9464/127.0.0.1:$port}"); done; "${a[@]}"; }
for _ in $(seq 1 100); do
    on_port "${startupProbe[@]}" 2> /dev/null && break
    kill -0 "$serve" 2> /dev/null || fail "serve exited at start"
    sleep 0.1
done
on_port "${startupProbe[@]}" || fail "the startup probe (${startupProbe[*]}) fails after 10 s"
on_port "${livenessProbe[@]}" || fail "the liveness probe (${livenessProbe[*]}) fails"
on_port "${readinessProbe[@]}" || fail "the readiness probe (${readinessProbe[*]}) fails: $(curl -s "http://127.0.0.1:$port/readyz")"
if [ -n "$pg_schema" ]; then
    tables=$(PGPASSWORD=$LEDGERBRIDGE_TEST_PG_PASSWORD psql -tA "$LEDGERBRIDGE_TEST_PG_URL" \
        -c "SELECT count(*) FROM information_schema.tables WHERE table_schema = '$pg_schema'")
    [ "${tables:-0}" -gt 0 ] || fail "serve started but created no table in the PostgreSQL schema $pg_schema"
fi
echo "ok: serve on 127.0.0.1:$port${pg_schema:+ (state: PostgreSQL, $tables tables in schema $pg_schema)}; startup, liveness and readiness probe commands exit 0"

echo "== 3. the webhook proxy"
proxy_port=$(free_port)
mkdir "$work/nginx"
sed -e "s/^\( *\)listen 8080;$/\1listen 127.0.0.1:$proxy_port;/" -e "s|127\.0\.0\.1:9464|127.0.0.1:$port|" \
    -e "s|/tmp/|$work/nginx/|" "$source/deploy/container/webhook-proxy.conf" > "$work/nginx/proxy.conf"
grep -q "listen 127.0.0.1:$proxy_port;" "$work/nginx/proxy.conf" && grep -q "proxy_pass http://127.0.0.1:$port;" "$work/nginx/proxy.conf" ||
    fail "webhook-proxy.conf has no 'listen 8080;' or no proxy_pass to 127.0.0.1:9464 to move"
nginx -c "$work/nginx/proxy.conf" -e stderr -p "$work/nginx" > "$work/nginx.log" 2>&1 &
proxy=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$proxy_port/" && break; sleep 0.1; done
status() { curl -s -o "$work/body" -w '%{http_code}' "$@"; }
direct=$(status -X POST -H 'Content-Type: application/json' -d '{"type":"v1.export-job.created"}' "http://127.0.0.1:$port/webhooks/pleo")
direct_body=$(cat "$work/body")
via=$(status -X POST -H 'Content-Type: application/json' -d '{"type":"v1.export-job.created"}' "http://127.0.0.1:$proxy_port/webhooks/pleo")
[[ $direct == 4* ]] || fail "the service answered an unsigned webhook with $direct"
[ "$via" = "$direct" ] && [ "$(cat "$work/body")" = "$direct_body" ] ||
    fail "through the proxy the unsigned webhook got $via '$(cat "$work/body")', directly $direct '$direct_body'"
for p in /metrics /attention /healthz; do
    got=$(status "http://127.0.0.1:$proxy_port$p")
    [ "$got" = 404 ] || fail "the proxy answered GET $p with $got, expected 404"
done
got=$(status "http://127.0.0.1:$proxy_port/webhooks/pleo")
[ "$got" = 403 ] || fail "the proxy answered GET /webhooks/pleo with $got, expected 403"
[ "$(status "http://127.0.0.1:$port/metrics")" = 200 ] || fail "/metrics does not answer on loopback"
# A signed delivery (Standard Webhooks: HMAC-SHA256 of id.timestamp.body with the whsec_
# secret) passes the proxy with its headers and body intact: the service verifies it. Its
# company is none of ours, so it starts no run.
id=msg_pod_check_$(openssl rand -hex 8) ts=$(date +%s)
body='{"type":"v1.export-job.created","data":{"companyId":"0b5e8a52-6f1d-4c3a-8e2b-9d7c1a4f6e30","jobId":"pod-check"}}'
key=$(printf '%s' "${PLEO_WEBHOOK_SECRET#whsec_}" | base64 -d | od -An -tx1 | tr -d ' \n')
signature=$(printf '%s' "$id.$ts.$body" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" -binary | base64)
signed() { status -X POST -H 'Content-Type: application/json' -H "webhook-id: $id" -H "webhook-timestamp: $ts" \
                  -H "webhook-signature: v1,$signature" --data-binary "$body" "http://127.0.0.1:$proxy_port/webhooks/pleo"; }
got=$(signed)
[ "$got" = 202 ] && grep -q '"triggered":0' "$work/body" || fail "a signed webhook through the proxy got $got '$(cat "$work/body")', expected 202 {\"triggered\":0}"
got=$(signed)
[ "$got" = 200 ] || fail "the same signed delivery again got $got, expected 200 (already received)"
echo "ok: unsigned POST /webhooks/pleo -> the service's $direct ($direct_body); signed -> 202, again -> 200; /metrics, /attention, /healthz -> 404; GET webhook -> 403"

echo "== 4. SIGTERM"
started=$(date +%s%N)
kill -TERM "$serve"
set +e
wait "$serve"
code=$?
set -e
serve=""
ms=$(( ($(date +%s%N) - started) / 1000000 ))
[ $code -eq 0 ] || fail "serve exited $code after SIGTERM, expected 0"
[ $ms -lt $(( termination_grace * 1000 )) ] || fail "serve took $ms ms to stop; the pod is killed after ${termination_grace} s"
echo "ok: exit 0 in $ms ms (terminationGracePeriodSeconds $termination_grace)"
echo "pod-check: every check passed"
