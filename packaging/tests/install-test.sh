#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, then only what was installed is used:
#   - the files: binary, every first-party plugin, the systemd units, man page, completion;
#   - the units' paths name this prefix (written at install time, not configure time), and
#     systemd-analyze verify accepts them;
#   - `ledgerbridge --version` and `version`;
#   - the installed man page renders without warnings, the installed completion completes;
#   - a `run` of config/demo.ini (its [plugins] dir removed, so the binary finds the installed
#     plugins by default) against the build's simulator exports every company's job through
#     the installed csv, sie and datev plugins, into files of mode 0600.
# The build is a Debug one with the crash-test hooks, which refuses to install unless
# LEDGERBRIDGE_INSTALL_TEST_BUILD=1 (set here only).
#   install-test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 source=$2
work=$(mktemp -d)
prefix=$work/prefix
sim=""
cleanup() {
    [ -n "$sim" ] && kill "$sim" 2>/dev/null && wait "$sim" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== cmake --install $build --prefix $prefix"
LEDGERBRIDGE_INSTALL_TEST_BUILD=1 cmake --install "$build" --prefix "$prefix" > "$work/install.log" 2>&1 ||
    { cat "$work/install.log"; fail "cmake --install failed"; }
for f in bin/ledgerbridge \
         lib/ledgerbridge/plugins/csv.so lib/ledgerbridge/plugins/sie.so lib/ledgerbridge/plugins/datev.so \
         lib/ledgerbridge/plugins/xero.so lib/ledgerbridge/plugins/fortnox.so lib/ledgerbridge/plugins/businesscentral.so \
         lib/systemd/system/ledgerbridge.service lib/systemd/system/ledgerbridge-run.service \
         lib/systemd/system/ledgerbridge-run.timer share/man/man1/ledgerbridge.1 \
         share/bash-completion/completions/ledgerbridge; do
    [ -f "$prefix/$f" ] || fail "$f was not installed"
done
[ -x "$prefix/bin/ledgerbridge" ] || fail "bin/ledgerbridge is not executable"
grep -q "lib/systemd/system/ledgerbridge.service" "$build/install_manifest.txt" ||
    fail "the generated unit is missing from install_manifest.txt"
echo "ok: every file installed"

echo "== the units name this prefix"
for unit in ledgerbridge.service ledgerbridge-run.service; do
    file=$prefix/lib/systemd/system/$unit
    ! grep -n '@[A-Z_]*@' "$file" || fail "$unit still holds a template placeholder"
    grep -qx "ExecStart=$prefix/bin/ledgerbridge \(serve\|run\)" "$file" || fail "$unit: ExecStart is not $prefix/bin/ledgerbridge: $(grep ExecStart "$file")"
    grep -qx "Environment=LEDGERBRIDGE_CONFIG=$prefix/etc/ledgerbridge/ledgerbridge.ini" "$file" ||
        fail "$unit: LEDGERBRIDGE_CONFIG is not under $prefix/etc: $(grep LEDGERBRIDGE_CONFIG "$file")"
done
grep -qx "Unit=ledgerbridge-run.service" "$prefix/lib/systemd/system/ledgerbridge-run.timer" || fail "the timer starts another unit"
echo "ok: ExecStart=$prefix/bin/ledgerbridge, LEDGERBRIDGE_CONFIG=$prefix/etc/ledgerbridge/ledgerbridge.ini"
# systemd's own reader: every directive parses and ExecStart names an executable file.
if command -v systemd-analyze > /dev/null; then
    (cd "$prefix/lib/systemd/system" && systemd-analyze verify ledgerbridge.service ledgerbridge-run.service \
        ledgerbridge-run.timer) > "$work/verify.log" 2>&1 || { cat "$work/verify.log"; fail "systemd-analyze verify refused a unit"; }
    [ ! -s "$work/verify.log" ] || { cat "$work/verify.log"; fail "systemd-analyze verify warned"; }
    echo "ok: systemd-analyze verify accepts the three units"
else
    echo "note: no systemd-analyze here; the units were checked by their paths only"
fi

echo "== --version"
version=$("$prefix/bin/ledgerbridge" --version)
[[ $version =~ ^ledgerbridge\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "--version printed: $version"
[ "$version" = "$("$prefix/bin/ledgerbridge" version)" ] || fail "--version and version differ"
echo "ok: $(head -1 <<<"$version")"

echo "== the installed man page and completion"
warnings=$(groff -man -ww -z "$prefix/share/man/man1/ledgerbridge.1" 2>&1)
[ -z "$warnings" ] || fail "groff warns about the installed man page: $warnings"
MANWIDTH=80 man -l "$prefix/share/man/man1/ledgerbridge.1" 2>/dev/null | grep -q "ledgerbridge - export approved Pleo expenses" ||
    fail "man -l does not show the installed page"
completed=$(env -i PATH="$prefix/bin:/usr/bin:/bin" bash --norc --noprofile -c '
    source "$1/share/bash-completion/completions/ledgerbridge"
    COMP_WORDS=(ledgerbridge pl); COMP_CWORD=1; _ledgerbridge ledgerbridge pl ledgerbridge
    echo "${COMPREPLY[*]}"' _ "$prefix")
[ "$completed" = "plugins" ] || fail "the installed completion completed 'ledgerbridge pl' to '$completed'"
echo "ok: man -l renders it; 'ledgerbridge pl<TAB>' -> plugins"

echo "== a run of the demo configuration with the installed binary and plugins"
mkdir -p "$work/demo" && cd "$work/demo"
"$build/bin/ledgerbridge-sim" --port 0 --tls-dir sim-tls --companies 3 --items 20 --quiet > sim.out 2> sim.err &
sim=$!
for _ in $(seq 200); do grep -q '^admin:' sim.out 2>/dev/null && break; sleep 0.05; done
grep -q '^admin:' sim.out || { cat sim.err; fail "the simulator did not start"; }
base=$(head -1 sim.out)
C=(curl -sS --fail --cacert sim-tls/ca.pem)
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# config/demo.ini as shipped, pointed at this simulator, with API keys instead of the OAuth
# logins (the browser flow is tested elsewhere) and without its [plugins] dir.
sed -e "s|https://127.0.0.1:18443|$base|" -e '/^dir = ..\/lib\/ledgerbridge\/plugins$/d' "$source/config/demo.ini" > demo.ini
grep -q "lib/ledgerbridge/plugins" demo.ini && fail "demo.ini still names a plugin folder"
cp -r "$source/config/demo-master-data" master-data
(umask 077 && printf 'demo-secret' > client-secret)
mkdir -p keys exports/csv exports/sie exports/datev
i=0
for company in $(sed -n 's/^company_id = //p' demo.ini); do
    i=$((i + 1))
    (umask 077 && "${C[@]}" -X POST "$base/admin/api-keys" -d "{\"companyId\":\"$company\"}" | json 'd["apiKey"]' | tr -d '\n' > "keys/$i")
    sed -i "s|^company_id = $company\$|company_id = $company\ncredential = api_key\napi_key = file:keys/$i|" demo.ini
    "${C[@]}" -X POST "$base/admin/export-jobs" -d "{\"companyId\":\"$company\"}" > /dev/null
done
[ "$i" = 3 ] || fail "demo.ini has $i companies, expected 3"

"$prefix/bin/ledgerbridge" --config demo.ini plugins list > plugins.out 2>&1 || { cat plugins.out; fail "plugins list failed"; }
grep -q "$prefix/lib/ledgerbridge/plugins/csv.so" plugins.out || { cat plugins.out; fail "plugins list does not show the installed plugins"; }
set +e
"$prefix/bin/ledgerbridge" --config demo.ini --log-format json run --json > run.json 2> run.log
code=$?
set -e
[ "$code" = 0 ] || [ "$code" = 3 ] || { cat run.json run.log; fail "run exited $code"; }
python3 - run.json <<'PY' || { cat run.json; fail "the run did not post every company's job"; }
import json, sys
reports = json.load(open(sys.argv[1]))
assert len(reports) == 3, len(reports)
for r in reports:
    posted = sum(j["posted"] for j in r.get("jobs", []))
    print(f"  {r['connection']}: plugin {r['plugin']}, outcome {r['outcome']}, posted {posted}")
    assert posted > 0, r
PY
for kind in csv sie datev; do
    files=$(find "exports/$kind" -type f ! -name '.*')
    [ -n "$files" ] || fail "no $kind export was written"
    for f in $files; do
        mode=$(stat -c %a "$f")
        [ "$mode" = 600 ] || fail "$f has mode $mode, expected 600"
    done
done
echo "ok: exit $code; csv, sie and datev exports written by the installed plugins, mode 0600"
echo "install test passed"
