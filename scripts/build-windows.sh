#!/usr/bin/env bash
# Cross-builds the Windows desktop app on Debian and packs it:
#   OUT/kruzhok.exe                         the program (icon, version, manifest)
#   OUT/kruzhok-VERSION-windows.zip         portable: kruzhok.exe + README.txt
#   OUT/kruzhok-VERSION-setup.exe           per-user installer (if makensis is there)
# OUT is the first argument, dist/ by default. The version comes from
# FyneApp.toml. docs/DISTRIBUTION.md says why it is built this way.
#
# Needs (Debian packages, CI installs them): gcc-mingw-w64-x86-64 zip, and
# nsis for the installer. go-winres (icon and version resources) is a Go
# tool; the script installs the pinned version with `go install` if missing.
# The first build compiles GLFW and GL for Windows (about 8 minutes on 2 cores):
# keep the Go build cache (GOCACHE) between runs.
#
# SKIP_EXE=1 packs an existing OUT/kruzhok.exe without rebuilding it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=${1:-dist}
mkdir -p "$out"
out=$(cd "$out" && pwd)

need() {
	if ! command -v "$1" >/dev/null 2>&1; then
		echo "build-windows: нет программы $1; установите: $2" >&2
		exit 1
	fi
}
need go "Go 1.26 (https://go.dev/dl/)"
need x86_64-w64-mingw32-gcc "apt-get install gcc-mingw-w64-x86-64"
need zip "apt-get install zip"

toml() { sed -n "s/^ *$1 *= *\"\{0,1\}\([^\"]*\)\"\{0,1\} *$/\1/p" FyneApp.toml | head -1; }
version=$(toml Version)
build=$(toml Build)
if [ -z "$version" ] || [ -z "$build" ]; then
	echo "build-windows: FyneApp.toml has no Version or Build" >&2
	exit 1
fi
echo "== kruzhok $version (build $build) for Windows into $out"

if [ "${SKIP_EXE:-}" != 1 ]; then
	winres=$(go env GOPATH)/bin/go-winres
	if [ ! -x "$winres" ]; then
		echo "== installing go-winres v0.3.3 (go install github.com/tc-hib/go-winres@v0.3.3)"
		go install github.com/tc-hib/go-winres@v0.3.3
	fi
	# The resources (icon, version, manifest) go into a .syso object beside
	# main.go, which `go build` links in; it is removed afterwards.
	syso="$root/rsrc_windows_amd64.syso"
	trap 'rm -f "$syso"' EXIT
	"$winres" simply --arch amd64 --out "$root/rsrc" \
		--icon Icon.png --manifest gui \
		--product-name "Кружок" --file-description "Кружок — дополнительное образование детей" \
		--product-version "$version.$build" --file-version "$version.$build" \
		--original-filename kruzhok.exe --copyright "Кружок"
	echo "== go build (GOOS=windows, mingw-w64)"
	start=$(date +%s)
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
		go build -ldflags "-H windowsgui -s -w" -o "$out/kruzhok.exe" .
	rm -f "$syso"
	echo "   $(($(date +%s) - start)) s, $(du -h "$out/kruzhok.exe" | cut -f1)"
fi
if [ ! -s "$out/kruzhok.exe" ]; then
	echo "build-windows: нет $out/kruzhok.exe" >&2
	exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"; rm -f "$root/rsrc_windows_amd64.syso"' EXIT
# README.txt: UTF-8 with a byte-order mark and CRLF, so Notepad on any
# Windows shows the Russian text.
readme() {
	printf '\357\273\277'
	sed 's/$/\r/' <<EOF
Кружок $version — программа для организаций дополнительного образования детей,
муниципалитетов и регионального модельного центра.

Как запустить
  Дважды щёлкните kruzhok.exe. Установка не нужна: программу можно держать
  в любой папке, например на рабочем столе или на флешке.
  Если Windows покажет «Система Windows защитила ваш компьютер», нажмите
  «Подробнее», затем «Выполнить в любом случае».

Первый запуск
  Программа спросит, кто вы: организация, муниципалитет или регион.
  Организация подключается к муниципалитету по приглашению, которое
  муниципалитет делает в своей программе и передаёт вам (распечатка или файл).
  Кнопка «Демо» показывает программу на выдуманных данных.

Где хранятся данные
  %AppData%\\kruzhok\\kruzhok.db (C:\\Users\\ИМЯ\\AppData\\Roaming\\kruzhok).
  Чтобы перенести работу на другой компьютер, скопируйте эту папку, пока
  программа закрыта. Копии базы программа делает сама каждую ночь.

Удаление
  Удалите kruzhok.exe. Данные останутся в %AppData%\\kruzhok — удалите
  и эту папку, если они больше не нужны.

Для администратора
  Команды для командной строки: kruzhok.exe help. Окно команд не ждёт
  программу; чтобы дождаться её и получить код завершения:
  start /wait kruzhok.exe check
EOF
}
readme >"$stage/README.txt"
cp "$out/kruzhok.exe" "$stage/kruzhok.exe"
zipfile="$out/kruzhok-$version-windows.zip"
rm -f "$zipfile"
(cd "$stage" && zip -q -9 "$zipfile" kruzhok.exe README.txt)
echo "== $zipfile ($(du -h "$zipfile" | cut -f1))"

if command -v makensis >/dev/null 2>&1; then
	cp "$root/scripts/wine/kruzhok.nsi" "$stage/"
	makensis -V2 -INPUTCHARSET UTF8 -DVERSION="$version" -DBUILD="$build" \
		-DOUTFILE="$out/kruzhok-$version-setup.exe" "$stage/kruzhok.nsi"
	echo "== $out/kruzhok-$version-setup.exe ($(du -h "$out/kruzhok-$version-setup.exe" | cut -f1))"
else
	echo "== no installer: makensis is missing (apt-get install nsis); the zip is enough"
fi
