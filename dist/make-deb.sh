#!/usr/bin/env bash
# Builds custos_VERSION_ARCH.deb from the self-contained archive (dist/make-archive.sh):
#   /usr/lib/custos/bin/custos and /usr/lib/custos/lib/ (the bundled libraries), /usr/bin/custos
#   a symbolic link to it, the man page, bash/zsh/fish completions, custos-sweep.service and
#   .timer with /etc/default/custos-sweep, and a postinst creating the `custos` system user.
# DIST_CONFIG and DIST_OUT as for make-archive.sh; DIST_ARCHIVE=PATH packs an archive already made. Prints the package's path as its last line.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
command -v dpkg-deb >/dev/null || { echo "make-deb: dpkg-deb is missing" >&2; exit 2; }
# DIST_ARCHIVE: an archive make-archive.sh has just made (its unpacked folder beside it).
ARCHIVE=${DIST_ARCHIVE:-$(bash dist/make-archive.sh | tail -1)}
OUT=$(dirname "$ARCHIVE")
STAGE="${ARCHIVE%.tar.gz}"
[ -x "$STAGE/bin/custos" ] || { echo "make-deb: no staged archive at $STAGE" >&2; exit 1; }
VERSION=$(tr -d '[:space:]' < VERSION)
DEB_ARCH=$(dpkg --print-architecture)
PKG="$OUT/custos_${VERSION}_${DEB_ARCH}"
rm -rf "$PKG" "$PKG.deb"

install -d "$PKG/DEBIAN" "$PKG/usr/bin" "$PKG/usr/lib/custos" "$PKG/usr/share/man/man1" \
  "$PKG/usr/share/doc/custos" "$PKG/usr/share/bash-completion/completions" \
  "$PKG/usr/share/zsh/vendor-completions" "$PKG/usr/share/fish/vendor_completions.d" \
  "$PKG/usr/lib/systemd/system" "$PKG/etc/default"
cp -a "$STAGE/bin" "$STAGE/lib" "$PKG/usr/lib/custos/"
ln -s ../lib/custos/bin/custos "$PKG/usr/bin/custos"
# An absolute run path in the package: $ORIGIN is the binary's real folder when it is run through
# the link, but not when the loader is handed the link itself (ldd /usr/bin/custos, ld.so …).
patchelf --set-rpath /usr/lib/custos/lib "$PKG/usr/lib/custos/bin/custos"
gzip -9n < "$STAGE/share/man/man1/custos.1" > "$PKG/usr/share/man/man1/custos.1.gz"
install -m 0644 "$STAGE/share/bash-completion/completions/custos" "$PKG/usr/share/bash-completion/completions/custos"
install -m 0644 "$STAGE/share/zsh/site-functions/_custos" "$PKG/usr/share/zsh/vendor-completions/_custos"
install -m 0644 "$STAGE/share/fish/vendor_completions.d/custos.fish" "$PKG/usr/share/fish/vendor_completions.d/custos.fish"
install -m 0644 dist/systemd/custos-sweep.service dist/systemd/custos-sweep.timer "$PKG/usr/lib/systemd/system/"
install -m 0644 dist/systemd/custos-sweep.default "$PKG/etc/default/custos-sweep"
install -m 0644 README.md "$PKG/usr/share/doc/custos/README.md"
gzip -9n < CHANGELOG.md > "$PKG/usr/share/doc/custos/changelog.gz"
install -m 0644 "$STAGE/share/doc/custos/BUILD-INFO" "$PKG/usr/share/doc/custos/BUILD-INFO"
cat > "$PKG/usr/share/doc/custos/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: custos
Comment: custos itself declares no licence yet. /usr/lib/custos/lib holds unmodified Debian
 builds of the libraries listed in BUILD-INFO; their copyright files are in Debian's packages
 of the same names (/usr/share/doc/PACKAGE/copyright on a Debian system).
COPYRIGHT
for script in postinst prerm postrm; do install -m 0755 "dist/debian/$script" "$PKG/DEBIAN/$script"; done
echo /etc/default/custos-sweep > "$PKG/DEBIAN/conffiles"

# The oldest glibc it runs on: the highest GLIBC_ symbol version the binary or a bundled library needs.
GLIBC=$(objdump -T "$PKG/usr/lib/custos/bin/custos" "$PKG"/usr/lib/custos/lib/* 2>/dev/null \
  | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
cat > "$PKG/DEBIAN/control" <<CONTROL
Package: custos
Version: $VERSION
Architecture: $DEB_ARCH
Maintainer: custos maintainers <maintainers@users.noreply.b-seed-3282e739.example>
Installed-Size: $(du -sk --exclude=DEBIAN "$PKG" | cut -f1)
Depends: libc6 (>= $GLIBC), adduser
Section: utils
Priority: optional
Homepage: https://your.git.host/custos
Description: find leaked credentials and say who owns them
 custos scans folders, archives, git history and staged changes for credentials, with
 rules embedded in the binary, and sweeps file shares incrementally (custos-sweep.timer).
 Self-contained: the Swift standard library is linked statically and the other libraries
 it needs are bundled in /usr/lib/custos/lib.
CONTROL
dpkg-deb --root-owner-group -Zxz --build "$PKG" "$PKG.deb" >&2
rm -rf "$PKG"
echo "make-deb: $(du -h "$PKG.deb" | cut -f1) $PKG.deb" >&2
echo "$PKG.deb"
