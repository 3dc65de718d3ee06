#!/usr/bin/env bash
# Builds the self-contained archive and the .deb and checks that they work without Swift:
#  1. the archive, unpacked in a temporary folder, runs `custos scan` (fixtures with zip,
#     SQLite and plain files), `custos git` and `custos sweep` in a mount namespace where the
#     Swift toolchain's folder is an empty tmpfs; ldd there resolves every library outside
#     glibc inside the archive, and so does the loader for the scan (LD_DEBUG: what it really
#     loaded); `--version` names the version and the commit;
#  2. the .deb installs with dpkg -i (root only), /usr/bin/custos runs, and dpkg --purge
#     removes the files, the custos user and group and /var/lib/custos.
# DIST_CONFIG=debug (what `make test` uses: faster to build) or release (the default, what
# `make dist` ships). DIST_SKIP_DEB=1 skips part 2.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export DIST_CONFIG=${DIST_CONFIG:-release}
VERSION=$(tr -d '[:space:]' < VERSION)
START=$(date +%s)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/custos-test-dist.XXXXXX")
INSTALLED_BY_US=0
cleanup() {
  if [ "$INSTALLED_BY_US" = 1 ] && dpkg-query -W custos >/dev/null 2>&1; then
    echo "test-dist: removing the custos package installed by this test" >&2
    dpkg --purge custos >/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "test-dist: FAIL: $*" >&2; exit 1; }
step() { echo "test-dist: $*" >&2; }

# The toolchain's own folder (/opt/swift for /opt/swift/usr/bin/swift).
SWIFT_BIN=$(readlink -f "$(command -v "${SWIFT:-swift}")")
TOOLCHAIN=$(dirname "$(dirname "$(dirname "$SWIFT_BIN")")")
case "$TOOLCHAIN" in /|/usr) TOOLCHAIN=/usr/lib/swift ;; esac   # a toolchain installed into /usr

export DIST_OUT="$WORK/out"
ARCHIVE=$(bash dist/make-archive.sh | tail -1)
[ -f "$ARCHIVE" ] || fail "make-archive.sh made no archive"
NAME=$(basename "$ARCHIVE" .tar.gz)
[ "$NAME" = "custos-$VERSION-linux-$(uname -m)" ] || fail "archive named $NAME"
mkdir "$WORK/unpacked"
tar -xzf "$ARCHIVE" -C "$WORK/unpacked"
APP="$WORK/unpacked/$NAME"
for file in bin/custos share/man/man1/custos.1 share/bash-completion/completions/custos \
            share/zsh/site-functions/_custos share/fish/vendor_completions.d/custos.fish \
            share/doc/custos/README.md share/doc/custos/CHANGELOG.md; do
  [ -s "$APP/$file" ] || fail "the archive has no $file"
done
# No Swift runtime library may be bundled or needed: the standard library is linked in.
# (grep reads whole outputs here: with pipefail, `grep -q` closing a pipe early fails the writer.)
if ls "$APP/lib" | grep -c '^libswift\|^libFoundation\|^lib_Foundation\|^libdispatch' >/dev/null; then
  fail "Swift runtime libraries in lib/: $(ls "$APP/lib" | tr '\n' ' ')"
fi

# A scan tree, a git repository and a share, all in the temporary folder (fixtures are
# copied, never scanned in place by something that could write).
mkdir -p "$WORK/tree" "$WORK/share" "$WORK/cache"
cp -r fixtures/plant-share fixtures/ot/ignition "$WORK/tree/"
git init -q "$WORK/repo"
printf 'token = "ghp_%s"\n' "4bXcT9kLmN2pQrS7vW1yZ3aB5dE8fG0hJ6iK" > "$WORK/repo/deploy.cfg"
git -C "$WORK/repo" add deploy.cfg
git -C "$WORK/repo" -c user.name=t -c user.email=t@example.org commit -qm "add deploy config"
cp fixtures/plant-share/plant-b/scada/aws-export.ini "$WORK/share/"

# What runs with the toolchain hidden. Arguments: the custos binary, its own folder prefix.
cat > "$WORK/hidden.sh" <<'HIDDEN'
set -euo pipefail
BIN=$1 PREFIX=$2 TOOLCHAIN=$3 WORK=$4 VERSION=$5 EXPECTED_COMMIT=$6
mount -t tmpfs -o size=1m,mode=0755 custos-hidden "$TOOLCHAIN"
[ -z "$(ls -A "$TOOLCHAIN")" ] || { echo "toolchain folder not hidden" >&2; exit 1; }
! command -v swift >/dev/null 2>&1 || { echo "swift still on the PATH: $(command -v swift)" >&2; exit 1; }
unset LD_LIBRARY_PATH LD_PRELOAD

# ldd: nothing missing, and every library outside glibc inside PREFIX.
for object in "$BIN" "$PREFIX"/lib/*; do
  ldd "$object" > "$WORK/ldd.txt" 2>&1 || true
  if grep -q 'not found' "$WORK/ldd.txt"; then echo "ldd $object:" >&2; cat "$WORK/ldd.txt" >&2; exit 1; fi
  awk '$2 == "=>" { print $1, $3 }' "$WORK/ldd.txt" | while read -r soname path; do
    case "$soname" in
      linux-vdso.so.*|ld-linux*.so.*|libc.so.*|libm.so.*|libmvec.so.*|libpthread.so.*|libdl.so.*|\
      librt.so.*|libresolv.so.*|libutil.so.*|libanl.so.*|libnss_*.so.*) continue ;;
    esac
    real=$(readlink -f "$path")
    case "$real" in
      "$(readlink -f "$PREFIX")"/lib/*) ;;
      *) echo "ldd $object: $soname resolves outside the archive, to $path" >&2; exit 1 ;;
    esac
  done
done
echo "  ldd: every library outside glibc resolves inside $PREFIX/lib"

# --version: custos VERSION (COMMIT)
line=$("$BIN" --version)
[ "$line" = "custos $VERSION ($EXPECTED_COMMIT)" ] || { echo "--version printed '$line', expected 'custos $VERSION ($EXPECTED_COMMIT)'" >&2; exit 1; }
echo "  $line"

# scan: exit 1 means findings. The rules are embedded; the Vectorscan cache is compiled anew.
export CUSTOS_CACHE_DIR="$WORK/cache-$$"
# LD_DEBUG lists every object the loader really loads (dlopen included) with its path.
status=0
LD_DEBUG=libs LD_DEBUG_OUTPUT="$WORK/lddebug" "$BIN" scan "$WORK/tree" --format jsonl --output "$WORK/scan.jsonl" || status=$?
[ "$status" = 1 ] || { echo "custos scan exited $status, expected 1 (findings)" >&2; exit 1; }
for rule in github-classic-pat aws-access-key-id stripe-secret-key postgres-url mysql-url; do
  grep -q "\"$rule\"" "$WORK/scan.jsonl" || { echo "custos scan did not report $rule" >&2; exit 1; }
done
grep -q 'Line3_HMI_export.zip' "$WORK/scan.jsonl" || { echo "no finding inside the zip (libarchive)" >&2; exit 1; }
cat "$WORK"/lddebug.* | sed -n 's/.*calling init: //p' | sort -u > "$WORK/loaded.txt"
rm -f "$WORK"/lddebug.*
while read -r object; do
  case "$(basename "$object")" in
    ld-linux*.so.*|libc.so.*|libm.so.*|libmvec.so.*|libpthread.so.*|libdl.so.*|librt.so.*|libresolv.so.*|\
    libutil.so.*|libanl.so.*|libnss_*.so.*) continue ;;
  esac
  case "$(readlink -f "$object")" in
    "$(readlink -f "$PREFIX")"/*) ;;
    *) echo "custos scan loaded $object from outside the archive" >&2; exit 1 ;;
  esac
done < "$WORK/loaded.txt"
echo "  loaded at run time: $(wc -l < "$WORK/loaded.txt") objects, all outside glibc from $PREFIX"
echo "  scan: $(wc -l < "$WORK/scan.jsonl") findings lines, zip members included"

# Through a symbolic link, as the README installs it: $ORIGIN is still the archive's bin/.
mkdir -p "$WORK/link-$$"
ln -sf "$BIN" "$WORK/link-$$/custos"
LD_DEBUG=libs LD_DEBUG_OUTPUT="$WORK/lddebug" "$WORK/link-$$/custos" --version >/dev/null
if cat "$WORK"/lddebug.* | sed -n 's/.*calling init: //p' | grep -E 'libgit2|libhs|libpcre2|libsqlite3|libarchive' \
   | grep -v "^$(readlink -f "$PREFIX")/"; then
  echo "run through a symbolic link, custos loaded the libraries above from outside the archive" >&2; exit 1
fi
rm -rf "$WORK"/lddebug.* "$WORK/link-$$"
echo "  through a symbolic link: the same libraries"

# git history (libgit2) and a sweep (SQLite state through GRDB).
status=0; "$BIN" git "$WORK/repo" > "$WORK/git.txt" 2>&1 || status=$?
[ "$status" = 1 ] && grep -q github-classic-pat "$WORK/git.txt" || { echo "custos git exited $status:" >&2; cat "$WORK/git.txt" >&2; exit 1; }
echo "  git: the committed token found"
state="$WORK/state-$$.db"
status=0; "$BIN" sweep "$WORK/share" --state "$state" > "$WORK/sweep.txt" 2>&1 || status=$?
[ "$status" = 1 ] && grep -q 'aws-access-key-id' "$WORK/sweep.txt" || { echo "custos sweep exited $status:" >&2; cat "$WORK/sweep.txt" >&2; exit 1; }
rm -f "$state" "$state"-*
echo "  sweep: new findings in a fresh state"
HIDDEN

if git rev-parse --show-toplevel >/dev/null 2>&1 && [ "$(git rev-parse --show-toplevel)" = "$ROOT" ]; then
  COMMIT=$(git rev-parse --short HEAD)
else
  COMMIT=unknown
fi

run_hidden() {  # BIN PREFIX
  if [ "$(id -u)" = 0 ]; then
    unshare --mount --propagation private bash "$WORK/hidden.sh" "$1" "$2" "$TOOLCHAIN" "$WORK" "$VERSION" "$COMMIT"
  else
    unshare --map-root-user --mount --propagation private bash "$WORK/hidden.sh" "$1" "$2" "$TOOLCHAIN" "$WORK" "$VERSION" "$COMMIT"
  fi
}

step "1. the archive ($(ls "$APP/lib" | wc -l) bundled libraries), with $TOOLCHAIN hidden"
run_hidden "$APP/bin/custos" "$APP" || fail "the unpacked archive does not run without the toolchain"

if [ "${DIST_SKIP_DEB:-0}" = 1 ]; then
  step "2. the .deb: skipped (DIST_SKIP_DEB=1)"
elif [ "$(id -u)" != 0 ]; then
  step "2. the .deb: skipped (dpkg -i needs root)"
else
  step "2. the .deb"
  if [[ "$(dpkg-query -W -f='${Status}' custos 2>/dev/null || true)" == *installed* ]]; then
    fail "a custos package is installed already; this test does not replace it (dpkg --purge custos, or DIST_SKIP_DEB=1)"
  fi
  [ ! -e /usr/bin/custos ] || fail "/usr/bin/custos exists and belongs to no package; not overwriting it (DIST_SKIP_DEB=1 skips)"
  ! getent passwd custos >/dev/null || fail "a user custos exists already; purging the package would remove it (DIST_SKIP_DEB=1 skips)"
  DEB=$(DIST_ARCHIVE="$ARCHIVE" bash dist/make-deb.sh | tail -1)
  [ "$(basename "$DEB")" = "custos_${VERSION}_$(dpkg --print-architecture).deb" ] || fail "package named $(basename "$DEB")"
  dpkg-deb --info "$DEB" | sed 's/^/  /' | grep -E 'Package|Version|Depends|Installed-Size' >&2
  INSTALLED_BY_US=1
  dpkg -i "$DEB" >/dev/null || fail "dpkg -i $DEB"
  line=$(/usr/bin/custos --version) || fail "/usr/bin/custos --version"
  [ "$line" = "custos $VERSION ($COMMIT)" ] || fail "/usr/bin/custos --version printed '$line'"
  echo "  /usr/bin/custos --version: $line" >&2
  getent passwd custos >/dev/null || fail "postinst created no custos user"
  [ "$(stat -c %U /var/lib/custos)" = custos ] || fail "/var/lib/custos is not the custos user's"
  for file in /usr/share/man/man1/custos.1.gz /usr/share/bash-completion/completions/custos \
              /usr/share/zsh/vendor-completions/_custos /usr/share/fish/vendor_completions.d/custos.fish \
              /usr/lib/systemd/system/custos-sweep.service /usr/lib/systemd/system/custos-sweep.timer \
              /etc/default/custos-sweep; do
    [ -s "$file" ] || fail "the package installed no $file"
  done
  manpage=$(zcat /usr/share/man/man1/custos.1.gz)
  grep -q '^\.TH CUSTOS 1' <<<"$manpage" || fail "the man page has no .TH"
  if command -v man >/dev/null; then
    rendered=$(man -l /usr/share/man/man1/custos.1.gz 2>/dev/null || true)
    grep -q 'custos sweep' <<<"$rendered" || fail "man -l does not render the sweep section"
  fi
  if command -v systemd-analyze >/dev/null; then
    verify=$(systemd-analyze verify /usr/lib/systemd/system/custos-sweep.service /usr/lib/systemd/system/custos-sweep.timer 2>&1) \
      || fail "systemd-analyze verify: $verify"
    [ -z "$verify" ] || fail "systemd-analyze verify: $verify"
    echo "  systemd-analyze verify: custos-sweep.service and .timer" >&2
  fi
  # The installed binary, through its symbolic link, with the toolchain hidden too.
  run_hidden /usr/bin/custos /usr/lib/custos || fail "/usr/bin/custos does not run without the toolchain"
  dpkg --purge custos >/dev/null || fail "dpkg --purge custos"
  INSTALLED_BY_US=0
  for path in /usr/bin/custos /usr/lib/custos /usr/share/man/man1/custos.1.gz /usr/lib/systemd/system/custos-sweep.service \
              /etc/default/custos-sweep /var/lib/custos; do
    [ ! -e "$path" ] && [ ! -L "$path" ] || fail "$path is left after dpkg --purge"
  done
  ! getent passwd custos >/dev/null || fail "the custos user is left after purge"
  ! getent group custos >/dev/null || fail "the custos group is left after purge"
  ! dpkg-query -W custos >/dev/null 2>&1 || fail "dpkg still knows custos after purge"
  echo "  installed, ran from /usr/bin, purged: no file, user, group or state left" >&2
fi
step "OK ($DIST_CONFIG build, $(( $(date +%s) - START )) s)"
