# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# scripts/lib/common.sh — shared by scripts/quickstart and scripts/test (sourced).
#
# Installs the Debian packages locus needs when they are missing (apt-get, through sudo
# when not root, or prints the exact apt-get line when it cannot), and builds locus out
# of tree in $BUILD (default: build/ in the source tree).  Both README commands go
# through here so a fresh Debian 12 machine needs nothing else.

set -eu
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$SRC/build}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

# Packages to build and run locus (a space-separated list: the scripts that source this
# file pass it unquoted to install_pkgs).
# shellcheck disable=SC2034  # used by the scripts that source this file
BUILD_PKGS="gcc make autoconf automake pkg-config libhwloc-dev libnuma-dev libpapi-dev libjansson-dev gnuplot-nox"

say() { printf '==> %s\n' "$*" >&2; }

missing_pkgs() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			printf '%s ' "$p"
	done
}

# install_pkgs PKG... — installs what is missing; returns 1 (after saying how) if it cannot.
install_pkgs() {
	local need sudo=""
	need=$(missing_pkgs "$@")
	[ -n "$need" ] || return 0
	if ! command -v apt-get >/dev/null 2>&1; then
		say "missing packages: $need (not a Debian/Ubuntu system: install them by hand)"
		return 1
	fi
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
			sudo="sudo"
		else
			say "missing packages; run as root:"
			echo "  apt-get update && apt-get install -y $need" >&2
			return 1
		fi
	fi
	say "installing: $need"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq >/dev/null ||
		{ say "apt-get update failed"; return 1; }
	# shellcheck disable=SC2086  # $need is a list of package names, split on purpose
	$sudo apt-get install -y -qq --no-install-recommends $need >/dev/null ||
		{ say "apt-get install failed: apt-get install -y $need"; return 1; }
}

# build_locus [CONFIGURE-ARGS...] — autoreconf (when needed), configure, make.
build_locus() {
	if [ ! -x "$SRC/configure" ] || [ "$SRC/configure.ac" -nt "$SRC/configure" ]; then
		say "autoreconf"
		(cd "$SRC" && autoreconf -fi >/dev/null 2>&1) || (cd "$SRC" && autoreconf -fi)
	fi
	mkdir -p "$BUILD"
	if [ ! -f "$BUILD/Makefile" ]; then
		say "configure ($BUILD)"
		(cd "$BUILD" && "$SRC/configure" -q "$@")
	fi
	say "make"
	make -C "$BUILD" -s -j"$JOBS"
}
