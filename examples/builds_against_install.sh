#!/bin/sh
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# ctest example_builds_against_install: `cmake --install` the current build
# into a temporary prefix, then build the examples against that prefix twice,
# with find_package(srv6steer) and with pkg-config, and run them (--help and
# a computation; no root needed). The programs must load libsrv6steer.so.N
# (N: SRV6S_ABI_VERSION) from the prefix, not from the build tree.
set -eu
build=$1 src=$2 cmake=$3 generator=$4 cc=$5 cxx=$6 libdir=$7

tmp=$(mktemp -d /tmp/srv6steer-install-XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
prefix=$tmp/prefix
unset LD_LIBRARY_PATH || true

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }
quiet() { # run, show the output only when it fails
    log=$tmp/log
    "$@" >"$log" 2>&1 || { cat "$log" >&2; fail "$*"; }
}

step "cmake --install $build --prefix $prefix"
quiet "$cmake" --install "$build" --prefix "$prefix"
for f in "$libdir/libsrv6steer.so" \
         "$libdir/pkgconfig/srv6steer.pc" \
         "$libdir/cmake/srv6steer/srv6steerConfig.cmake" \
         "$libdir/cmake/srv6steer/srv6steerConfigVersion.cmake" \
         "$libdir/cmake/srv6steer/srv6steerTargets.cmake" \
         include/srv6steer/srv6steer.hpp include/srv6steer/srv6steer.h \
         include/srv6steer/types.hpp include/srv6steer/sid.hpp \
         include/srv6steer/error.hpp include/srv6steer/abi.h include/srv6steer/flowhash.h; do
    [ -e "$prefix/$f" ] || fail "missing from the install tree: $f"
done
# The soname's number is the C ABI's version, as the installed header says.
abi=$(sed -n 's/^#define SRV6S_ABI_VERSION \([0-9][0-9]*\)$/\1/p' "$prefix/include/srv6steer/srv6steer.h")
[ -n "$abi" ] || fail "no SRV6S_ABI_VERSION in the installed srv6steer.h"
lib=libsrv6steer.so.$abi
[ -e "$prefix/$libdir/$lib" ] || fail "missing from the install tree: $libdir/$lib"
soname=$(readelf -d "$prefix/$libdir/libsrv6steer.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = "$lib" ] || fail "soname is '$soname', expected $lib (SRV6S_ABI_VERSION $abi)"

# Runs the two programs of directory $1 and checks they use the installed library.
check_programs() {
    dir=$1
    for p in pin_one_flow show_path; do
        ldd "$dir/$p" | grep -q "$lib => $prefix/" ||
            { ldd "$dir/$p" >&2; fail "$dir/$p does not load libsrv6steer from $prefix"; }
    done
    "$dir/pin_one_flow" --help >"$tmp/out" || fail "pin_one_flow --help"
    grep -q '^usage: pin_one_flow IFNAME' "$tmp/out" || fail "pin_one_flow --help: $(cat "$tmp/out")"
    grep -q '^libsrv6steer [0-9]' "$tmp/out" || fail "pin_one_flow --help: no library version"
    rc=0; "$dir/pin_one_flow" >/dev/null 2>&1 || rc=$?
    [ "$rc" -eq 2 ] || fail "pin_one_flow without arguments: exit $rc, expected 2 (usage)"
    rc=0; "$dir/pin_one_flow" lo "tcp nonsense" 1004 >/dev/null 2>"$tmp/err" || rc=$?
    [ "$rc" -eq 2 ] && grep -q 'pin_one_flow: ' "$tmp/err" ||
        fail "pin_one_flow with a bad flow: exit $rc, $(cat "$tmp/err")"
    "$dir/show_path" --help | grep -q '^usage: show_path' || fail "show_path --help"
    "$dir/show_path" fcbb:0::/32 1004,1001,1006,fe06 >"$tmp/out" || fail "show_path"
    grep -q 'outer destination fcbb:0:1004:1001:1006:fe06::, SRH segments 0' "$tmp/out" ||
        fail "show_path printed: $(cat "$tmp/out")"
}

step "find_package(srv6steer)"
quiet "$cmake" -S "$src" -B "$tmp/cmake" -G "$generator" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release
quiet "$cmake" --build "$tmp/cmake"
check_programs "$tmp/cmake"

step "pkg-config --cflags --libs srv6steer"
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
flags=$(pkg-config --cflags --libs srv6steer) || fail "pkg-config srv6steer"
pc_libdir=$(pkg-config --variable=libdir srv6steer)
mkdir "$tmp/pc"
# shellcheck disable=SC2086 # flags are words
quiet "$cc" -std=c99 -Wall -Wextra -Werror -o "$tmp/pc/pin_one_flow" "$src/pin_one_flow.c" \
    $flags -Wl,-rpath,"$pc_libdir"
# shellcheck disable=SC2086
quiet "$cxx" -std=c++20 -Wall -Wextra -Werror -o "$tmp/pc/show_path" "$src/show_path.cpp" \
    $flags -Wl,-rpath,"$pc_libdir"
check_programs "$tmp/pc"
echo "OK: the installed srv6steer builds and runs consumers (find_package and pkg-config)"
