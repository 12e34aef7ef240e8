#!/usr/bin/env bash
# Checks deploy/container/Containerfile without building the image (no base image can be
# downloaded here), against the things it depends on:
#   1. dockerfile-utils lints it (and refuses a copy with a broken instruction: the lint can fail);
#   2. the image's rules: Debian bookworm bases, a non-root USER, the state VOLUME, STOPSIGNAL
#      SIGTERM, `ledgerbridge serve` as entrypoint + command, no HEALTHCHECK, no -dev package at run time;
#   3. every package it installs exists in Debian bookworm (apt-cache policy on this bookworm machine);
#   4. the build context it copies is enough to configure the project (a tree of only those
#      paths configures with -DLEDGERBRIDGE_BUILD_TESTS=OFF), and each path exists;
#   5. `cmake --install --component runtime` into a temporary DESTDIR: every COPY --from=build
#      source exists there, and every binary and plugin the install produced is copied;
#   6. every shared library those files load (ldd) comes from a package the runtime stage
#      installs (or one they depend on, or a required package of the base image);
#   7. nginx -t accepts the webhook proxy's configuration.
#   container-check.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd) source=$(cd "$2" && pwd)
containerfile=$source/deploy/container/Containerfile
tooling=$source/tests/tooling
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -d "$tooling/node_modules/dockerfile-utils" ] ||
    fail "$tooling/node_modules has no dockerfile-utils; run scripts/setup (npm ci in tests/tooling)"

echo "== 1. dockerfile-utils lint"
node "$source/deploy/tests/containerfile-facts.mjs" "$tooling" "$containerfile" > "$work/facts" ||
    fail "the Containerfile does not lint (above)"
sed 's/^STOPSIGNAL SIGTERM$/STOPSIGNAL/' "$containerfile" > "$work/Broken"
! node "$source/deploy/tests/containerfile-facts.mjs" "$tooling" "$work/Broken" > /dev/null 2>&1 ||
    fail "the lint accepted a STOPSIGNAL without a signal: it checks nothing"
echo "ok: no diagnostic ($(grep -c '^stage ' "$work/facts") stages); a broken copy is refused"
facts() { awk -v k="$1" -v s="$2" '$1 == k && $2 == s { $1 = ""; $2 = ""; sub(/^  /, ""); print }' "$work/facts"; }

echo "== 2. the image's rules"
for stage in build runtime webhook-proxy; do
    [ "$(facts stage "$stage")" = '${DEBIAN_IMAGE}' ] || fail "stage $stage is not FROM \${DEBIAN_IMAGE}"
done
grep -qx 'ARG DEBIAN_IMAGE=docker.io/library/debian:bookworm-slim' "$containerfile" ||
    fail "DEBIAN_IMAGE does not default to debian:bookworm-slim"
for stage in runtime webhook-proxy; do
    user=$(facts user "$stage" | tail -1)
    [ -n "$user" ] && [[ ! $user =~ ^(0|root)(:|$) ]] || fail "stage $stage runs as '${user:-root (no USER)}'"
done
[ "$(facts volume runtime)" = /var/lib/ledgerbridge ] || fail "the runtime stage declares no /var/lib/ledgerbridge volume"
[ "$(facts stopsignal runtime)" = SIGTERM ] || fail "the runtime stage's STOPSIGNAL is not SIGTERM"
[ "$(facts entrypoint runtime)" = '["/usr/bin/ledgerbridge"]' ] && [ "$(facts cmd runtime)" = '["serve"]' ] ||
    fail "the runtime stage does not start /usr/bin/ledgerbridge serve"
! grep -q '^healthcheck ' "$work/facts" || fail "a HEALTHCHECK is declared (Kubernetes probes do that)"
! facts package runtime | grep -- '-dev$' || fail "the runtime stage installs -dev packages"
grep -qx 'ENV LEDGERBRIDGE_CONFIG=/etc/ledgerbridge/ledgerbridge.ini' "$containerfile" ||
    fail "LEDGERBRIDGE_CONFIG does not name the mounted /etc/ledgerbridge/ledgerbridge.ini"
echo "ok: bookworm bases, users $(facts user runtime) and $(facts user webhook-proxy), volume, SIGTERM, serve, no HEALTHCHECK"

echo "== 3. every package exists in Debian bookworm"
grep -q '^VERSION_CODENAME=bookworm$' /etc/os-release || fail "this machine is not Debian bookworm: apt-cache cannot answer for it"
packages=$(awk '$1 == "package" { print $3 }' "$work/facts" | sort -u)
for p in $packages; do
    policy=$(apt-cache policy "$p")
    candidate=$(awk '/Candidate:/ { print $2 }' <<<"$policy")
    [ -n "$candidate" ] && [ "$candidate" != "(none)" ] ||
        fail "package $p has no candidate in this machine's apt lists (not in bookworm, or run apt-get update)"
    grep -q ' bookworm[-/a-z]* ' <<<"$policy" || fail "package $p does not come from a bookworm archive: $policy"
done
echo "ok: $(wc -w <<<"$packages") packages, each with a bookworm candidate"

echo "== 4. the build context"
mkdir "$work/context"
for src in $(awk '$1 == "copy-context" { print $3 }' "$work/facts"); do
    [ -e "$source/$src" ] || fail "COPY $src: no such path in $source"
    mkdir -p "$work/context/$(dirname "$src")"
    cp -a "$source/$src" "$work/context/$src"
done
cmake -S "$work/context" -B "$work/context-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DLEDGERBRIDGE_BUILD_TESTS=OFF > "$work/configure.log" 2>&1 ||
    { cat "$work/configure.log"; fail "the copied build context does not configure"; }
echo "ok: every copied path exists; the tree of only those paths configures (Release, no tests)"

echo "== 5. cmake --install into a temporary DESTDIR, against the COPY --from=build lines"
staging=$work/staging
DESTDIR=$staging LEDGERBRIDGE_INSTALL_TEST_BUILD=1 cmake --install "$build" --prefix /usr --component runtime \
    > "$work/install.log" 2>&1 || { cat "$work/install.log"; fail "cmake --install failed"; }
copied=()
for src in $(awk '$1 == "copy" && $2 == "runtime" && $3 == "build" { print $4 }' "$work/facts"); do
    [[ $src == /staging/* ]] || fail "COPY --from=build $src is not under the install's /staging"
    [ -e "$staging${src#/staging}" ] || fail "COPY --from=build $src: cmake --install did not produce ${src#/staging}"
    copied+=("${src#/staging}")
done
covered() { local f=$1 c; for c in "${copied[@]}"; do [[ $f == "$c" || ( $c == */ && $f == "$c"* ) ]] && return 0; done; return 1; }
elves=()
while IFS= read -r f; do
    rel=${f#"$staging"}
    covered "$rel" || fail "cmake --install produced $rel but the runtime stage does not copy it"
    elves+=("$f")
done < <(find "$staging/usr/bin" "$staging/usr/lib/ledgerbridge" -type f | sort)
echo "ok: ${#copied[@]} COPY sources exist; the ${#elves[@]} binaries and plugins installed are all copied"

echo "== 6. every shared library comes from a runtime package"
runtime_packages=$(awk '$1 == "package" && $2 == "runtime" { print $3 }' "$work/facts")
# What apt-get install brings: the listed packages and everything they depend on.
# shellcheck disable=SC2086
closure=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
          --no-replaces --no-enhances $runtime_packages | awk '/^[a-z0-9]/ { sub(/:.*/, ""); print }' | sort -u)
owner() {  # the Debian package of a library path (usrmerge: dpkg may list it under /usr)
    dpkg -S "$1" 2>/dev/null || dpkg -S "/usr$1" 2>/dev/null || dpkg -S "$(readlink -f "$1")" 2>/dev/null ||
        dpkg -S "/usr$(readlink -f "$1")" 2>/dev/null
}
libs=$(for f in "${elves[@]}"; do ldd "$f" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'; done | sort -u)
# A sanitizer build (CI's Asan phase) links the sanitizer runtimes, which a Release build does not:
# GCC's libasan/libubsan/libtsan, or clang's shared runtime (libclang-rt-NN-dev) in the Asan build.
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
for lib in $libs; do
    pkg=$(owner "$lib" | head -1 | cut -d: -f1) || true
    [ -n "$pkg" ] || fail "$lib (loaded by the installed files) belongs to no Debian package"
    [[ $build_type =~ ^(Asan|Tsan)$ && $pkg =~ ^(lib(asan|ubsan|tsan)[0-9]+|libclang-rt-[0-9]+-dev)$ ]] && continue
    grep -qx "$pkg" <<<"$closure" && continue
    [ "$(dpkg-query -W -f='${Priority}' "$pkg")" = required ] && continue  # in every Debian image
    fail "$lib comes from $pkg, which the runtime stage does not install (add it to its apt-get install)"
done
echo "ok: $(wc -w <<<"$libs") libraries, each from the runtime stage's packages or a required one"

echo "== 7. the webhook proxy's nginx configuration"
if command -v nginx > /dev/null; then
    nginx -t -c "$source/deploy/container/webhook-proxy.conf" -e stderr > "$work/nginx.log" 2>&1 ||
        { cat "$work/nginx.log"; fail "nginx -t refuses deploy/container/webhook-proxy.conf"; }
    echo "ok: nginx -t accepts it"
else
    fail "nginx is not installed (scripts/setup installs nginx-light)"
fi
echo "container-check: every check passed"
