#!/bin/sh
# Installs mailfino-sf on Linux or macOS from a release archive, without a Rust toolchain.
#
#   curl -fsSL https://github.com/mailfino/mailfino-sf/releases/latest/download/install.sh | sh
#   sh install.sh [--prefix DIR] [--version X.Y.Z] [--url URL]
#
# It picks the archive for this machine (Linux: static x86_64 or aarch64 binary; macOS: Apple
# silicon or Intel), downloads it with the release's SHA256SUMS, refuses it unless its SHA-256
# matches, and installs:
#   PREFIX/bin/mailfino-sf                                       (PREFIX defaults to ~/.local)
#   PREFIX/share/bash-completion/completions/mailfino-sf
#   PREFIX/share/zsh/site-functions/_mailfino-sf
#   PREFIX/share/fish/vendor_completions.d/mailfino-sf.fish
#   PREFIX/share/man/man1/mailfino-sf*.1
#
# Settings (a flag wins over its variable):
#   MAILFINO_SF_INSTALL_PREFIX   --prefix   where to install (default: $HOME/.local)
#   MAILFINO_SF_VERSION          --version  a release such as 0.2.0 (default: the latest)
#   MAILFINO_SF_INSTALL_URL      --url      the directory holding the archives and SHA256SUMS
#                                           (default: the GitHub release); plain http is
#                                           accepted only from a loopback address
#
# The checksum proves that the archive is the one the release lists (no corruption, no swapped
# file on a mirror); both come from the same place, so it is no signature.
set -eu

REPO_URL=https://github.com/mailfino/mailfino-sf
TMP=

say() { printf 'install.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
cleanup() { [ -z "$TMP" ] || rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

usage() {
  cat <<'EOF'
Installs mailfino-sf from a release archive (its SHA-256 checked against the release's SHA256SUMS).

usage: sh install.sh [--prefix DIR] [--version X.Y.Z] [--url URL]

  --prefix DIR     install into DIR/bin and DIR/share   [MAILFINO_SF_INSTALL_PREFIX, default ~/.local]
  --version X.Y.Z  that release instead of the latest   [MAILFINO_SF_VERSION]
  --url URL        the directory with the archives and SHA256SUMS   [MAILFINO_SF_INSTALL_URL]
EOF
  exit 0
}

# Prints the Rust target name of this machine's archive.
detect_target() {
  os=$(uname -s)
  arch=$(uname -m)
  case "$arch" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) die "no mailfino-sf build for the processor '$arch'; build from source: cargo install mailfino-sf" ;;
  esac
  case "$os" in
    Linux) echo "$arch-unknown-linux-musl" ;;
    Darwin)
      # A shell under Rosetta reports x86_64 on Apple silicon: prefer the native binary.
      if [ "$arch" = x86_64 ] && [ "$(sysctl -n hw.optional.arm64 2>/dev/null || echo 0)" = 1 ]; then
        arch=aarch64
      fi
      echo "$arch-apple-darwin" ;;
    *) die "this installer is for Linux and macOS (found '$os'); on Windows use install.ps1" ;;
  esac
}

# Refuses plain http unless it goes to this machine.
check_url() {
  case "$1" in
    https://*) ;;
    http://127.0.0.1:* | http://127.0.0.1/* | http://localhost:* | http://localhost/* | http://\[::1\]:* | http://\[::1\]/*) ;;
    *) die "refusing the download URL '$1': it must start with https:// (plain http only from 127.0.0.1, localhost or [::1])" ;;
  esac
}

# download URL FILE: bounded in time, fails on any HTTP error.
download() {
  if command -v curl >/dev/null 2>&1; then
    curl --fail --silent --show-error --location --proto '=https,http' --connect-timeout 15 --max-time 300 --retry 2 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget --quiet --timeout=60 --tries=3 -O "$2" "$1"
  else
    die "curl or wget is needed to download $1"
  fi || die "could not download $1"
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  elif command -v openssl >/dev/null 2>&1; then
    openssl dgst -sha256 -r "$1" | cut -d' ' -f1
  else
    die "sha256sum, shasum or openssl is needed to check the download"
  fi
}

# verify ARCHIVE NAME SUMS: the archive's SHA-256 must be the one SUMS lists for NAME.
verify() {
  want=$(awk -v n="$2" '$2 == n || $2 == "*" n { print $1; exit }' "$3")
  [ -n "$want" ] || die "SHA256SUMS lists no checksum for $2"
  got=$(sha256_of "$1")
  [ "$got" = "$want" ] || die "checksum mismatch for $2: expected $want, got $got (nothing was installed)"
}

# put SRC DEST MODE: copies atomically (a running copy of DEST is never half-written).
put() {
  mkdir -p "$(dirname "$2")"
  cp "$1" "$2.tmp.$$"
  chmod "$3" "$2.tmp.$$"
  mv -f "$2.tmp.$$" "$2"
}

main() {
  prefix=${MAILFINO_SF_INSTALL_PREFIX:-}
  version=${MAILFINO_SF_VERSION:-}
  url=${MAILFINO_SF_INSTALL_URL:-}
  while [ $# -gt 0 ]; do
    case "$1" in
      --prefix) [ $# -ge 2 ] || die "--prefix needs a directory"; prefix=$2; shift 2 ;;
      --version) [ $# -ge 2 ] || die "--version needs a version such as 0.2.0"; version=$2; shift 2 ;;
      --url) [ $# -ge 2 ] || die "--url needs a URL"; url=$2; shift 2 ;;
      -h | --help) usage ;;
      *) die "unknown argument '$1' (expected --prefix DIR, --version X.Y.Z, --url URL; see --help)" ;;
    esac
  done
  if [ -z "$prefix" ]; then
    [ -n "${HOME:-}" ] || die "HOME is not set: pass --prefix DIR"
    prefix=$HOME/.local
  fi
  version=${version#v}
  case "$version" in
    "" | [0-9]*.[0-9]*.[0-9]*) ;;
    *) die "'$version' is not a version: expected the form 0.2.0" ;;
  esac
  if [ -z "$url" ]; then
    if [ -n "$version" ]; then url=$REPO_URL/releases/download/v$version; else url=$REPO_URL/releases/latest/download; fi
  fi
  url=${url%/}
  check_url "$url"

  target=$(detect_target)
  name=mailfino-sf-$target
  TMP=$(mktemp -d 2>/dev/null || mktemp -d -t mailfino-sf)
  say "downloading $url/$name.tar.gz"
  download "$url/SHA256SUMS" "$TMP/SHA256SUMS"
  download "$url/$name.tar.gz" "$TMP/$name.tar.gz"
  verify "$TMP/$name.tar.gz" "$name.tar.gz" "$TMP/SHA256SUMS"
  say "checksum ok"
  (cd "$TMP" && gzip -dc "$name.tar.gz" | tar -xf -) || die "could not unpack $name.tar.gz"
  src=$TMP/$name
  [ -f "$src/mailfino-sf" ] || die "$name.tar.gz holds no mailfino-sf binary"
  "$src/mailfino-sf" --version >/dev/null 2>&1 || die "the downloaded mailfino-sf does not run on this machine"

  put "$src/mailfino-sf" "$prefix/bin/mailfino-sf" 755
  put "$src/completions/mailfino-sf.bash" "$prefix/share/bash-completion/completions/mailfino-sf" 644
  put "$src/completions/_mailfino-sf" "$prefix/share/zsh/site-functions/_mailfino-sf" 644
  put "$src/completions/mailfino-sf.fish" "$prefix/share/fish/vendor_completions.d/mailfino-sf.fish" 644
  for page in "$src"/man/*.1; do
    put "$page" "$prefix/share/man/man1/$(basename "$page")" 644
  done
  say "installed $("$prefix/bin/mailfino-sf" --version) to $prefix/bin/mailfino-sf"
  say "completions for bash, zsh and fish and the man pages are under $prefix/share"

  case ":${PATH:-}:" in
    *":$prefix/bin:"*) ;;
    *)
      say "$prefix/bin is not on your PATH; add this line to your shell's profile:"
      say "  export PATH=\"$prefix/bin:\$PATH\"" ;;
  esac
  say "next: mailfino-sf demo   (a 10-second tour against a local emulator)"
}

main "$@"
