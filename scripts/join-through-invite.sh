#!/bin/sh
# A provider joins through an invite made in a municipality's app, as a new
# user would, on real windows under Xvfb driven by xdotool, with no terminal
# on the provider's side:
#
#   1. a demo region is the server (kruzhok serve); the municipality's node
#      joins it from the command line (the operator's one-time setup);
#   2. the municipality's app, tab «Приглашения»: choose a
#      provider, «Создать приглашение» (the app syncs it to the server at
#      once), «Сохранить PDF…»; the code is read back from the PDF;
#   3. the provider's app on a brand-new database: the first-start screen,
#      the server's address and the code typed (a typo first, to show the
#      message), «Подключиться»: it joins and syncs;
#   4. the provider's database is checked with kruzhok commands: joined as
#      that provider, in step with the server.
#
# Screenshots of each step go to docs/screenshots/join-*.png. Any failed step
# ends the script with a non-zero exit.
#
# Needs: go, Xvfb and xvfb-run, xauth, xdotool, ImageMagick's import,
# poppler-utils (pdftotext, pdftoppm). The clicks are at the positions of the
# 1200×760 window at the top left of a 1280×800 screen.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
if [ -z "${JOIN_IN_XVFB:-}" ]; then
	JOIN_IN_XVFB=1 exec xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$@"
fi
out=$root/docs/screenshots
tmp=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$out"
step() { echo "== $*"; }
die() {
	echo "join-through-invite: $*" >&2
	exit 1
}
shot() {
	xdotool mousemove 1270 790 2>/dev/null || true # no hover highlight
	sleep 0.5
	import -window root -crop 1200x760+0+0 +repage "$out/join-$1.png"
	echo "   $out/join-$1.png"
}
click() {
	xdotool mousemove "$1" "$2" click 1
	sleep "${3:-0.7}"
}
# typein X Y TEXT: click the field, clear it and type ASCII text.
typein() {
	click "$1" "$2" 0.3
	xdotool key ctrl+a BackSpace
	xdotool type --delay 25 "$3"
	sleep 0.3
}
# window NAME DB: open the desktop app on DB with a home of its own (Fyne
# keeps its preferences there, the save dialog opens there) and wait for it.
window() {
	mkdir -p "$tmp/home-$1"
	HOME="$tmp/home-$1" "$tmp/kruzhok" --data "$2" >"$tmp/$1.log" 2>&1 &
	app=$!
	pids="$pids $app"
	for _ in $(seq 1 40); do
		xdotool search --name "Кружок" >/dev/null 2>&1 && break
		sleep 0.5
	done
	xdotool search --name "Кружок" >/dev/null 2>&1 || die "the window of $1 did not open: $(tail -3 "$tmp/$1.log")"
	sleep 3
}
closewindow() {
	kill "$app" 2>/dev/null || true
	wait "$app" 2>/dev/null || true
	sleep 1
}

# The databases are sealed with a password, given from outside so that the
# windows open without asking it (a person types it once on first start).
export KRUZHOK_PASSWORD=join-demo-password LANG=ru_RU.UTF-8
k() { "$tmp/kruzhok" "$@" 2>>"$tmp/cli.log"; }

step "build"
go build -o "$tmp/kruzhok" .

step "server: a demo region, an invite for municipality 27, kruzhok serve"
k demo --data "$tmp/server.db" >/dev/null
k invite --data "$tmp/server.db" --scope municipality:27 >"$tmp/mun-invite.txt"
k serve --data "$tmp/server.db" --addr 127.0.0.1:0 --url-file "$tmp/url.txt" >"$tmp/serve.log" 2>&1 &
pids="$pids $!"
for _ in $(seq 1 40); do
	[ -s "$tmp/url.txt" ] && break
	sleep 0.5
done
[ -s "$tmp/url.txt" ] || die "the server did not start: $(tail -3 "$tmp/serve.log")"
url=$(cat "$tmp/url.txt")
echo "   $url"

step "municipality 27 joins (its operator, once)"
k join --data "$tmp/mun.db" --server "$url" --token "$(tail -1 "$tmp/mun-invite.txt")" | grep -q "municipality:27" ||
	die "the municipality did not join"

step "municipality's app: «Приглашения», an invite for a provider"
window mun "$tmp/mun.db"
click 885 67 1.5 # the tab «Приглашения»
shot 1-municipality-tab
click 600 203 1 # «Выберите исполнителя»
click 200 355   # the fourth provider of municipality 27
click 93 268 4  # «Создать приглашение»: the app syncs it to the server
shot 2-invite-created
click 1128 310 1.5 # «Сохранить PDF…»
shot 3-save-dialog
click 803 546 1.5 # «Сохранить»: into the home folder
sheet=$(ls "$tmp/home-mun/"*.pdf 2>/dev/null | head -1)
[ -n "$sheet" ] || die "the invite sheet was not saved"
pdftoppm -png -r 70 -f 1 -l 1 "$sheet" "$tmp/sheet"
cp "$tmp"/sheet*.png "$out/join-4-invite-sheet.png"
echo "   $out/join-4-invite-sheet.png"
text=$(pdftotext -layout "$sheet" -)
code=$(echo "$text" | grep -oE '[0-9A-Z]{4}(-[0-9A-Z]{4}){8}' | head -1)
[ -n "$code" ] || die "no code on the invite sheet"
echo "$text" | grep -q "$url" || die "the sheet does not give the server's address $url"
echo "$text" | grep -q "Код действует до" || die "the sheet does not say the code works (the invite did not reach the server)"
echo "   code $code"
closewindow

step "provider's app on a brand-new database: the first start"
window prov "$tmp/prov.db"
shot 5-provider-first-start
typein 600 311 "$url"
# A typo in the last symbol: the check symbol catches it before any request.
typo=$(echo "$code" | sed 's/.$//')$(echo "$code" | grep -q '0$' && echo 1 || echo 0)
typein 600 447 "$(echo "$typo" | tr 'A-Z-' 'a-z ')"
click 600 545 1
shot 6-provider-typo
typein 600 447 "$code"
click 600 545 0.2 # «Подключиться»
shot 7-provider-joining
for _ in $(seq 1 60); do
	[ -f "$tmp/prov.db" ] && grep -q 'msg=synced' "$tmp/prov.log" && break
	sleep 1
done
grep -q 'msg=synced' "$tmp/prov.log" || die "the provider's app did not sync: $(tail -3 "$tmp/prov.log")"
sleep 2
shot 8-provider-joined
closewindow

step "the provider's database: joined as that provider, in step with the server"
again=$(k join --data "$tmp/prov.db" --server "$url" --token "$code") || die "the provider's database is not joined"
echo "$again" | grep -q "область provider:" || die "the provider's database has scope: $again"
echo "   $again"
k sync --data "$tmp/prov.db" --once | grep -q '"digest_match":true' || die "the provider's data differ from the server's"

step "municipality's app again: the invite is used"
window mun "$tmp/mun.db"
click 885 67 1.5
click 937 21 4 # «Синхронизировать сейчас»
click 885 67 1.5
shot 9-municipality-invite-used
closewindow
echo "join-through-invite: a provider joined through the municipality's invite and synced"
