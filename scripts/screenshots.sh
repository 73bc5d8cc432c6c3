#!/bin/sh
# Screenshots of the real window under Xvfb, one per role, into
# docs/screenshots/: builds the binary, makes a demo region, copies it, turns
# the copies into a municipality's and a provider's node (scripts/setscope),
# and photographs each window a few seconds after start.
#
# Needs: go, xvfb-run, xauth, ImageMagick's import and xdotool (TOOLCHAIN.md).
set -eu
cd "$(dirname "$0")/.."
out=docs/screenshots
wait=${WAIT:-6}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

go build -o "$tmp/kruzhok" .
"$tmp/kruzhok" demo --data "$tmp/region.db" >"$tmp/demo.txt" 2>/dev/null
cp "$tmp/region.db" "$tmp/municipality.db"
cp "$tmp/region.db" "$tmp/provider.db"
go run ./scripts/setscope "$tmp/municipality.db" municipality:27
go run ./scripts/setscope "$tmp/provider.db" provider:

for role in region municipality provider; do
	# A home of its own: Fyne keeps its preferences there.
	mkdir -p "$tmp/home-$role"
	HOME="$tmp/home-$role" LANG=ru_RU.UTF-8 xvfb-run -a -s "-screen 0 1280x800x24" sh -c "
		'$tmp/kruzhok' --data '$tmp/$role.db' 2>'$tmp/$role.log' & P=\$!
		sleep $wait
		xdotool mousemove 700 20 2>/dev/null || true; sleep 1  # off the tables: no hover highlight
		import -window root -crop 1200x760+0+0 +repage '$out/$role.png'
		kill \$P; wait \$P 2>/dev/null || true"
	echo "$out/$role.png"
done
