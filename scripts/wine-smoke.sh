#!/usr/bin/env bash
# Smoke test of the Windows build under Wine and Xvfb (CI: .ci/run):
#   scripts/wine-smoke.sh SHOTS_DIR
# builds dist/kruzhok.exe (scripts/build-windows.sh) unless it is newer than
# every source file, makes a throwaway Wine prefix, and runs the exe as a
# Windows user would: version, demo into the default %AppData%\kruzhok,
# check, a PDF, then the window on the region and on a provider at 1024×600
# with screenshots SHOTS_DIR/windows-*.png, and, while the window holds the
# database, check (a clear «занята» message, no hang) and backup (through the
# running program's control point). Any failed step stops the script with a
# message and a non-zero exit.
#
# Needs: wine64, gcc-mingw-w64-x86-64, xvfb, xauth, imagemagick, xdotool,
# poppler-utils (pdftotext), and what scripts/build-windows.sh needs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
shots=${1:?usage: scripts/wine-smoke.sh SHOTS_DIR}
mkdir -p "$shots"
shots=$(cd "$shots" && pwd)
t0=$(date +%s)

fail() {
	echo "wine-smoke: FAIL: $*" >&2
	exit 1
}
step() { echo "== [$(($(date +%s) - t0)) s] $*"; }
for t in x86_64-w64-mingw32-gcc xvfb-run import pdftotext xdotool; do
	command -v "$t" >/dev/null 2>&1 || fail "нет программы $t (apt-get install wine64 gcc-mingw-w64-x86-64 xvfb xauth imagemagick xdotool poppler-utils)"
done
wine=/usr/lib/wine/wine64
[ -x "$wine" ] || wine=$(command -v wine64 || true)
[ -n "$wine" ] && [ -x "$wine" ] || fail "нет wine64 (apt-get install --no-install-recommends wine64)"
wineserver=/usr/lib/wine/wineserver
[ -x "$wineserver" ] || wineserver=$(command -v wineserver || echo true)

# 1. The exe: rebuilt only when a source is newer.
exe="$root/dist/kruzhok.exe"
if [ ! -s "$exe" ] || [ -n "$(find . -path ./dist -prune -o \( -name '*.go' -o -name go.mod -o -name go.sum -o -name FyneApp.toml -o -name Icon.png \) -newer "$exe" -print | head -1)" ]; then
	step "build (scripts/build-windows.sh)"
	scripts/build-windows.sh "$root/dist" || fail "build-windows.sh"
else
	step "reusing $exe (newer than every source)"
fi

# 2. A throwaway Wine prefix with the bcryptprimitives shim (scripts/wine/).
tmp=$(mktemp -d)
gui=""
cleanup() {
	[ -n "$gui" ] && kill "$gui" 2>/dev/null
	WINEPREFIX="$tmp/prefix" "$wineserver" -k 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
export WINEPREFIX="$tmp/prefix" WINEDEBUG=-all WINEARCH=win64 WINEDLLOVERRIDES="mscoree,mshtml=" LANG=C.UTF-8
unset DISPLAY WAYLAND_DISPLAY
step "wine prefix ($($wine --version 2>/dev/null))"
$wine wineboot --init >/dev/null 2>&1 || fail "wineboot"
"$wineserver" -w 2>/dev/null || true
x86_64-w64-mingw32-gcc -O2 -shared -o "$tmp/bcryptprimitives.dll" \
	scripts/wine/bcryptprimitives.c scripts/wine/bcryptprimitives.def -ladvapi32 || fail "shim build"
cp "$tmp/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
cp "$exe" "$WINEPREFIX/drive_c/kruzhok.exe"
winuser=$(ls "$WINEPREFIX/drive_c/users" | grep -v '^Public$' | head -1)
appdata="$WINEPREFIX/drive_c/users/$winuser/AppData/Roaming/kruzhok"

# k runs kruzhok.exe ARGS with a time limit, stdout to $tmp/out, stderr to $tmp/err.
# Wine itself sometimes loses its server under load ("wine client error"):
# such a run is repeated once; the program's own failures are not.
k() {
	local rc=0
	timeout 300 "$wine" 'C:\kruzhok.exe' "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if grep -q "^wine client error" "$tmp/err"; then
		echo "   (wine client error; once more)"
		rc=0
		timeout 300 "$wine" 'C:\kruzhok.exe' "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	fi
	sed -i 's/\r$//' "$tmp/out" "$tmp/err"
	return $rc
}
expect() { # expect FILE TEXT WHAT
	grep -qF -- "$2" "$1" || { echo "--- stdout:"; cat "$tmp/out"; echo "--- stderr:"; cat "$tmp/err"; fail "$3: нет «$2»"; } >&2
}
noisefree() {
	if grep -q "Fyne error\|fatal error\|panic:" "$tmp/err"; then
		cat "$tmp/err" >&2
		fail "$1: ошибка в stderr"
	fi
}

step "kruzhok.exe version"
k version || fail "version"
expect "$tmp/out" "windows/amd64" "version"
noisefree version

step "kruzhok.exe demo (default database, %AppData%\\kruzhok)"
k demo || fail "demo"
expect "$tmp/out" "Детей:" "demo"
noisefree demo
[ -s "$appdata/kruzhok.db" ] || fail "demo: нет базы в $appdata (os.UserConfigDir под Wine)"

step "kruzhok.exe check"
k check || fail "check"
expect "$tmp/out" "нарушений нет" "check"
noisefree check

step "kruzhok.exe export pdf registry"
k export pdf registry --municipality 27 --out 'C:\registry.pdf' || fail "export pdf"
pdf="$WINEPREFIX/drive_c/registry.pdf"
[ -s "$pdf" ] || fail "export pdf: нет файла"
pdftotext -enc UTF-8 "$pdf" "$tmp/registry.txt" || fail "pdftotext"
expect "$tmp/registry.txt" "сертификат" "registry.pdf"

# The installer, if build-windows.sh made one: silent install for this user,
# shortcuts and uninstaller in place, then a silent uninstall that leaves the
# data alone.
setup=$(ls "$root"/dist/kruzhok-*-setup.exe 2>/dev/null | head -1 || true)
if [ -n "$setup" ] && [ "$setup" -nt "$exe" ]; then
	step "installer $(basename "$setup") /S"
	timeout 300 "$wine" "$setup" /S >/dev/null 2>&1 || fail "installer"
	"$wineserver" -w 2>/dev/null || true
	inst="$WINEPREFIX/drive_c/users/$winuser/AppData/Local/Programs/Kruzhok"
	[ -s "$inst/kruzhok.exe" ] && [ -s "$inst/uninstall.exe" ] && [ -s "$inst/README.txt" ] || fail "installer: нет файлов в $inst"
	cmp -s "$inst/kruzhok.exe" "$exe" || fail "installer: не тот kruzhok.exe"
	find "$WINEPREFIX/drive_c" -name 'Кружок.lnk' -path '*Start Menu*' | grep -q . || fail "installer: нет ярлыка в меню «Пуск»"
	timeout 300 "$wine" "$inst/../Kruzhok/uninstall.exe" /S >/dev/null 2>&1 || fail "uninstaller"
	"$wineserver" -w 2>/dev/null || true
	for i in $(seq 1 20); do [ -e "$inst/kruzhok.exe" ] || break; sleep 1; done
	[ ! -e "$inst/kruzhok.exe" ] || fail "uninstaller: kruzhok.exe остался"
	! find "$WINEPREFIX/drive_c" -name 'Кружок.lnk' | grep -q . || fail "uninstaller: ярлыки остались"
	[ -s "$appdata/kruzhok.db" ] || fail "uninstaller: удалил данные"
elif [ -n "${CI:-}" ] && command -v makensis >/dev/null 2>&1; then
	fail "no fresh installer in dist/ (scripts/build-windows.sh)"
fi

# 3. The window, under Xvfb at 1024×600, on the region and on a provider.
# The window asks for a password before it opens a database; sealed under
# KRUZHOK_PASSWORD (keys init, itself a test of the key files on Windows),
# it opens at once.
mkdir -p "$WINEPREFIX/drive_c/data"
cp "$appdata/kruzhok.db" "$WINEPREFIX/drive_c/data/region.db"
cp "$appdata/kruzhok.db" "$WINEPREFIX/drive_c/data/provider.db"
go run ./scripts/setscope "$WINEPREFIX/drive_c/data/provider.db" provider: >/dev/null || fail "setscope"
export KRUZHOK_PASSWORD="смоук-тест-wine"
for db in region provider; do
	step "kruzhok.exe keys init --data C:\\data\\$db.db"
	k keys init --data "C:\\data\\$db.db" || { cat "$tmp/out" "$tmp/err" >&2; fail "keys init $db"; }
	[ -s "$WINEPREFIX/drive_c/data/$db.db.key" ] || fail "keys init $db: no key file"
done

# shoot NAME ARGS: opens the window in a Wine desktop of $SCREEN (1024x600
# by default, the small laptop screen), with Windows' own window frame, waits
# until the program has started its scheduler (or 10 s with READY empty), and
# takes SHOTS_DIR/windows-NAME.png;
# with NAME=region also checks the lock and the control point meanwhile.
shoot() {
	local name=$1
	shift
	export SCREEN=${SCREEN:-1024x600}
	# Another screen size (SCREEN=1366x768) names its shots windows-NAME-1366x768.png.
	[ "$SCREEN" = 1024x600 ] || name="$name-$SCREEN"
	export N=$name READY=${READY-scheduler started}
	xvfb-run -a -s "-screen 0 ${SCREEN}x24" bash -c '
		set -u
		# Through cmd.exe, without DISPLAY: a real Windows has no such variable.
		"$0" explorer "/desktop=Kruzhok,$SCREEN" cmd /c "set DISPLAY=&& C:\\kruzhok.exe $*" 2>"$T/gui-$N.log" & gui=$!
		for i in $(seq 1 90); do
			[ -z "$READY" ] && { sleep 10; break; }
			grep -q "$READY" "$T/gui-$N.log" 2>/dev/null && break
			sleep 1
		done
		sleep "${WAIT:-6}"
		xdotool mousemove 1010 590 2>/dev/null || true
		sleep 1
		import -window root "$S/windows-$N.png" || echo "import failed" >"$T/fail-$N"
		if [ "${N%%-*}" = region ]; then
			"$0" "C:\\kruzhok.exe" check --data "C:\\data\\region.db" >"$T/locked.out" 2>"$T/locked.err"; echo $? >"$T/locked.rc"
			"$0" "C:\\kruzhok.exe" backup --data "C:\\data\\region.db" --out "C:\\copy.db.zst" >"$T/backup.out" 2>"$T/backup.err"; echo $? >"$T/backup.rc"
		fi
		kill $gui 2>/dev/null; wait $gui 2>/dev/null; true' "$wine" "$@" \
		|| fail "xvfb-run ($name)"
	"$wineserver" -k 2>/dev/null || true
	[ ! -e "$tmp/fail-$name" ] || fail "screenshot $name"
	[ -s "$shots/windows-$name.png" ] || fail "no screenshot $name"
	[ -z "$READY" ] || grep -q "$READY" "$tmp/gui-$name.log" || { cat "$tmp/gui-$name.log" >&2; fail "window $name: the program did not start its work"; }
	if grep -q "Fyne error\|panic:\|fatal error" "$tmp/gui-$name.log"; then
		cat "$tmp/gui-$name.log" >&2
		fail "window $name: error in the log"
	fi
	# Keep the docs small: 256 colours without dithering are plenty for a UI.
	convert-im6.q16 "$shots/windows-$name.png" +dither -colors 256 "PNG8:$shots/windows-$name.png" 2>/dev/null || true
}
export T="$tmp" S="$shots"

step "window: region, the lock and the control point"
shoot region --data 'C:\data\region.db'
sed -i 's/\r$//' "$tmp"/locked.* "$tmp"/backup.*
[ "$(cat "$tmp/locked.rc")" = 1 ] || { cat "$tmp/locked.out" "$tmp/locked.err" >&2; fail "check beside the window: exit $(cat "$tmp/locked.rc"), want 1"; }
grep -q "занята" "$tmp/locked.err" || { cat "$tmp/locked.err" >&2; fail "check beside the window: no «занята»"; }
[ "$(cat "$tmp/backup.rc")" = 0 ] || { cat "$tmp/backup.out" "$tmp/backup.err" >&2; fail "backup through the running window"; }
grep -q "сделана работающей программой" "$tmp/backup.out" || { cat "$tmp/backup.out" "$tmp/backup.err" >&2; fail "backup: not through the control point"; }
[ -s "$WINEPREFIX/drive_c/copy.db.zst" ] || fail "backup: no copy"

step "window: provider"
shoot provider --data 'C:\data\provider.db'

step "window: first start on a new database (asks for a password)"
READY= KRUZHOK_PASSWORD= shoot first-start --data 'C:\data\new.db'

for f in "$shots"/windows-*.png; do
	echo "   $f $(identify -format '%wx%h' "$f")"
done
step "wine smoke test passed"
