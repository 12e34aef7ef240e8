#!/usr/bin/env bash
# The man page: groff renders it with every warning on and prints none (what `man -l` shows
# without complaint), and it documents every command and every global option that the
# binary's own --help lists, so a new command cannot ship without its man entry.
#   man-test.sh MAN_PAGE LEDGERBRIDGE_BINARY
set -euo pipefail
page=$1 binary=$2
failures=0

warnings=$(groff -man -ww -z "$page" 2>&1)
if [ -n "$warnings" ]; then
    echo "FAIL: groff -man -ww -z warns:"
    echo "$warnings"
    failures=$((failures + 1))
else
    echo "ok: groff -man -ww -z renders $page without a warning"
fi

# The rendered text (no hyphenation, wide lines) is what a reader sees.
text=$(groff -man -Tutf8 -rLL=200n -P-cbou "$page" 2>/dev/null | sed 's/\xe2\x80\x90/-/g')
section() { awk -v s="$1" '$0 == s { on = 1; next } /^[A-Z][A-Z ]+$/ { on = 0 } on' <<<"$text"; }
commands=$(section "COMMANDS")
options=$(section "GLOBAL OPTIONS")

help=$("$binary" --help)
# documented SECTION_NAME SECTION_TEXT PATTERN_AFTER_NAME NAME...: each NAME opens an entry (a tagged
# paragraph, indented 7) of the section.
documented() {
    local name=$1 text=$2 tail=$3 item
    shift 3
    for item in "$@"; do
        if grep -Eq "^ {7}(.*, )?$item$tail" <<<"$text"; then
            echo "ok: $name documents '$item'"
        else
            echo "FAIL: the man page's $name section has no entry for '$item' (ledgerbridge --help lists it)"
            failures=$((failures + 1))
        fi
    done
}
documented COMMANDS "$commands" '( |,|$)' $(sed -n '/^Commands:$/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' <<<"$help")
documented "GLOBAL OPTIONS" "$options" '( |$)' $(sed -n '/^Global options:$/,/^$/s/^  \(--[a-z][a-z-]*\).*/\1/p' <<<"$help")
grep -q -- "--version" <<<"$text" || { echo "FAIL: --version is not in the man page"; failures=$((failures + 1)); }

[ "$failures" = 0 ] || { echo "$failures problem(s) in $page"; exit 1; }
echo "the man page renders cleanly and covers every command and global option"
