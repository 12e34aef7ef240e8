#!/usr/bin/env bash
# The bash completion, sourced into a clean bash and called as bash calls it (COMP_WORDS,
# COMP_CWORD, then the function `complete` registered): top-level commands, subcommands,
# options of a command and the global ones, option values, connection names from the config
# named on the line. Every expectation is written out here, not read from the script.
#   completion-test.sh COMPLETION_SCRIPT LEDGERBRIDGE_BINARY
set -euo pipefail
script=$1 binary=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# complete WORD... -> the completions of the last word, one line, sorted
complete_line() {
    env -i HOME="$work" PATH=/usr/bin:/bin ${LEDGERBRIDGE_CONFIG:+LEDGERBRIDGE_CONFIG=$LEDGERBRIDGE_CONFIG} \
        bash --norc --noprofile -c '
        source "$1"; shift
        spec=$(complete -p ledgerbridge)          # what bash would run on TAB
        fn=${spec#*-F }; fn=${fn%% *}
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        "$fn" ledgerbridge "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$script" "$@"
}

expect() {  # expect "EXPECTED (sorted, space-separated)" WORD... (the last one is completed)
    local want=$1 got
    shift
    got=$(complete_line "$@" | sed 's/ $//')
    if [ "$got" != "$want" ]; then
        echo "FAIL: completing '$*'"
        echo "  expected: $want"
        echo "  got:      $got"
        failures=$((failures + 1))
    else
        echo "ok: '$*' -> $got"
    fi
}

cat > "$work/site.ini" <<'INI'
environment = sim
[environment.sim]
auth_url = https://127.0.0.1:1
[connection.acme]
plugin = csv
[connection.acme-se]
plugin = sie
[connection.globex]
plugin = datev
INI

expect "auth config history plugins promote run serve state status sync validate version" "$binary" ""
expect "serve state status sync" "$binary" s
expect "disconnect login logout refresh status" "$binary" auth ""
expect "copy" "$binary" state ""
expect "--password" "$binary" state copy --p
expect "validate" "$binary" --log-level debug config v
expect "show" "$binary" history s
expect "--dry-run" "$binary" run --d
expect "--config --connection --create-jobs" "$binary" run --c
expect "--version" "$binary" --v
expect "debug error info warn" "$binary" --log-level ""
expect "json" "$binary" --log-format j
expect "acme acme-se globex" "$binary" --config "$work/site.ini" run --connection ""
expect "acme acme-se" "$binary" --config "$work/site.ini" run --connection acme
expect "production sim staging" "$binary" --config "$work/site.ini" --environment ""
LEDGERBRIDGE_CONFIG="$work/site.ini" expect "globex" "$binary" sync --connection g
# A file name after --config (bash's own file completion).
touch "$work/other.ini"
expect "$work/other.ini" "$binary" --config "$work/oth"

[ "$failures" = 0 ] || { echo "$failures completion(s) wrong"; exit 1; }
echo "all completions as expected"
