#!/usr/bin/env bash
# serve_parts_apart.sh - the daemon's parts reach one another only through
# the core (src/serve/route.c): no src/serve/*.c calls another part's
# ob__<part>_ functions or reads another part's state (s-><part>). Run
# with the source folder; fails naming each file and line that does.
set -u
src=${1:?usage: serve_parts_apart.sh SRCDIR}/src/serve
# part file : its function prefix : its state in struct serve
parts="alerts:alerts:alerts tracker:tracker:tracker logs:logs:logs journal:journal:journal
query:query:querier rw:rw:rwout disk:disks:disks prices:prices:prices ci:ci:ci"
bad=0
for f in "$src"/*.c; do
    base=$(basename "$f" .c)
    for p in $parts; do
        IFS=: read -r file prefix state <<<"$p"
        [ "$file" = "$base" ] && continue
        hits=$(grep -nE "\bob__${prefix}_[a-z_]+\(|s->${state}\b" "$f")
        if [ -n "$hits" ]; then
            printf '%s reaches into part %s:\n%s\n' "${f#"$src"/}" "$file" "$hits"
            bad=1
        fi
    done
done
[ "$bad" = 0 ] && echo "ok: no part of src/serve reaches into another"
exit "$bad"
