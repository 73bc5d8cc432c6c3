#!/usr/bin/env bash
# Builds the Linux desktop app (Debian, Astra Linux) and packs it:
#   OUT/kruzhok-VERSION-linux-amd64.tar.xz
#     kruzhok-VERSION/kruzhok           the program
#     kruzhok-VERSION/kruzhok.desktop   the menu entry
#     kruzhok-VERSION/kruzhok.png       the icon
#     kruzhok-VERSION/install.sh        puts the three in place (user or system)
#     kruzhok-VERSION/README.txt
# OUT is the first argument, dist/ by default; the version comes from
# FyneApp.toml. Needs the Fyne build packages of TOOLCHAIN.md (GL and X11
# headers) and xz-utils.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist}
mkdir -p "$out"
out=$(cd "$out" && pwd)
for t in go xz tar; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "build-linux: нет программы $t; установите её (apt-get install golang xz-utils tar)" >&2
		exit 1
	fi
done
version=$(sed -n 's/^ *Version *= *"\([^"]*\)".*/\1/p' FyneApp.toml | head -1)
[ -n "$version" ] || { echo "build-linux: FyneApp.toml has no Version" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
dir="$stage/kruzhok-$version"
mkdir -p "$dir"
echo "== go build (linux/amd64)"
go build -ldflags "-s -w" -o "$dir/kruzhok" .
cp Icon.png "$dir/kruzhok.png"

cat >"$dir/kruzhok.desktop" <<'EOF'
[Desktop Entry]
Type=Application
Name=Кружок
GenericName=Дополнительное образование детей
Comment=Программы, зачисление, журнал и счета кружков и секций
Exec=kruzhok
Icon=kruzhok
Terminal=false
Categories=Office;Education;
StartupWMClass=Kruzhok
EOF

cat >"$dir/install.sh" <<'EOF'
#!/bin/sh
# Installs Kruzhok: for the current user into ~/.local, or, run as root
# (sudo ./install.sh), for everyone into /usr/local; PREFIX=dir chooses
# another place. ./install.sh --remove takes it away again; the data
# (~/.config/kruzhok) stays.
set -eu
cd "$(dirname "$0")"
if [ "$(id -u)" -eq 0 ]; then prefix=/usr/local; else prefix="$HOME/.local"; fi
prefix=${PREFIX:-$prefix}
bin="$prefix/bin"
apps="$prefix/share/applications"
icons="$prefix/share/icons/hicolor/512x512/apps"
if [ "${1:-}" = "--remove" ]; then
	rm -f "$bin/kruzhok" "$apps/kruzhok.desktop" "$icons/kruzhok.png"
	echo "Кружок удалён из $prefix. Данные остались в ~/.config/kruzhok."
	exit 0
fi
mkdir -p "$bin" "$apps" "$icons"
install -m 755 kruzhok "$bin/kruzhok"
install -m 644 kruzhok.png "$icons/kruzhok.png"
sed "s|^Exec=kruzhok|Exec=$bin/kruzhok|" kruzhok.desktop >"$apps/kruzhok.desktop"
chmod 644 "$apps/kruzhok.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$apps" 2>/dev/null || true
echo "Кружок установлен в $bin. Он появился в меню: «Офис» или «Образование»."
EOF
chmod 755 "$dir/install.sh"

cat >"$dir/README.txt" <<EOF
Кружок $version для Linux (Debian 12, Astra Linux 1.7 и новее, 64 бита).

Установка: распакуйте архив и запустите ./install.sh — для себя, или
sudo ./install.sh — для всех пользователей компьютера. Кружок появится в
меню. Без установки: ./kruzhok.

Данные хранятся в ~/.config/kruzhok/kruzhok.db.
Удаление: ./install.sh --remove (данные остаются).
Нужны библиотеки OpenGL и X11, они есть в любой системе с рабочим столом.
EOF

tarball="$out/kruzhok-$version-linux-amd64.tar.xz"
tar -C "$stage" --owner=0 --group=0 -cJf "$tarball" "kruzhok-$version"
echo "== $tarball ($(du -h "$tarball" | cut -f1))"
