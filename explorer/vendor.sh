#!/usr/bin/env bash
# vendor.sh re-fetches the third-party browser bundles that the explorer page
# embeds (GraphiQL and the React 18 UMD builds it runs on) from the npm
# registry, at the pinned versions below, into assets/<package>/ together with
# each package's LICENSE. Run it from anywhere after changing a version:
#
#	./explorer/vendor.sh && go test ./explorer/...
#
# Files are copied byte for byte (npm checks each tarball's integrity), so
# running it again without changing a version leaves `git diff` empty.
#
# GraphiQL 3.9 is the only 3.x release whose graphiql.min.js is really
# minified (earlier 3.x releases ship a 3 MB development build under that
# name). It runs on React 18's UMD builds, which React 19 no longer publishes.
set -euo pipefail

GRAPHIQL_VERSION=3.9.0
REACT_VERSION=18.3.1

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
assets="$here/assets"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent \
	"graphiql@$GRAPHIQL_VERSION" \
	"react@$REACT_VERSION" \
	"react-dom@$REACT_VERSION" >/dev/null

unpack() { # unpack NAME VERSION: extract NAME-VERSION.tgz into ./NAME
	mkdir "$1"
	tar -xzf "$1-$2.tgz" -C "$1" --strip-components=1
}
unpack graphiql "$GRAPHIQL_VERSION"
unpack react "$REACT_VERSION"
unpack react-dom "$REACT_VERSION"

place() { # place PACKAGE FILE...: copy FILEs (relative to the package) and its LICENSE
	local pkg="$1"
	shift
	rm -rf "${assets:?}/$pkg"
	mkdir -p "$assets/$pkg"
	for f in "$@" LICENSE; do
		cp "$pkg/$f" "$assets/$pkg/"
	done
}
place graphiql graphiql.min.js graphiql.min.css
place react umd/react.production.min.js
place react-dom umd/react-dom.production.min.js

cd "$assets"
echo "vendored graphiql@$GRAPHIQL_VERSION react@$REACT_VERSION react-dom@$REACT_VERSION:"
find graphiql react react-dom -type f | sort | xargs ls -l | awk '{printf "  %9d  %s\n", $5, $9}'
