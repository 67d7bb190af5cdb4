#!/bin/sh
# refresh-htmx.sh VERSION — re-vendor htmx.org from npm (e.g. 2.0.11).
# Run from anywhere; it writes htmx.min.js and htmx.LICENSE beside itself.
set -eu
version=${1:?usage: refresh-htmx.sh VERSION (e.g. 2.0.11)}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack "htmx.org@$version" >/dev/null
tar xzf htmx.org-*.tgz
cp package/dist/htmx.min.js "$here/htmx.min.js"
cp package/LICENSE "$here/htmx.LICENSE"
echo "$version" > "$here/htmx.VERSION"
echo "vendored htmx.org $version"
