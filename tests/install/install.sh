#!/bin/bash
# `cmake --install` of a build, into a scratch prefix and through DESTDIR:
# every file lands where a Debian package puts it, and the installed sonde
# runs `#!/usr/bin/env sonde` scripts (its own examples among them) found
# through PATH alone. The runs need root; without it they are skipped
# (status 77) after the file checks.
#   bash tests/install/install.sh BUILD_DIR
set -uo pipefail
build=${1:?usage: install.sh BUILD_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Every installed file of a prefix.
check_tree() {
	local root=$1 f
	for f in bin/sonde share/man/man8/sonde.8 share/bash-completion/completions/sonde \
		share/zsh/vendor-completions/_sonde share/doc/sonde/language.md share/doc/sonde/stdlib.md \
		share/doc/sonde/testing.md share/doc/sonde/README.md; do
		[ -f "$root/$f" ] || fail "$root/$f is not installed"
	done
	[ -x "$root/bin/sonde" ] || fail "$root/bin/sonde is not executable"
	# the compiler object, loaded by the binary from LIBDIR/sonde
	[ -n "$(find "$root" -path '*/lib*/sonde/sonde-compiler.so')" ] || fail "$root: no LIBDIR/sonde/sonde-compiler.so"
	local ex n=0
	for ex in "$build"/../examples/*.bt; do
		[ -e "$ex" ] || continue
		n=$((n + 1))
		local name=${ex##*/}
		[ -x "$root/share/doc/sonde/examples/$name" ] || fail "example $name is not installed executable"
		[ -f "$root/share/doc/sonde/examples/${name%.bt}_example.txt" ] || fail "${name%.bt}_example.txt is not installed"
	done
	[ "$n" -gt 0 ] || fail "no examples/*.bt next to $build"
}

if ! cmake --install "$build" --prefix "$tmp/usr" > "$tmp/install.log" 2>&1; then
	cat "$tmp/install.log"
	fail "cmake --install --prefix failed"
fi
check_tree "$tmp/usr"
if ! DESTDIR="$tmp/dest" cmake --install "$build" --prefix /usr > "$tmp/destdir.log" 2>&1; then
	cat "$tmp/destdir.log"
	fail "DESTDIR=... cmake --install failed"
fi
check_tree "$tmp/dest/usr"

# The installed bash completion loads and completes an option.
if ! out=$(bash -c 'source "$1"; COMP_WORDS=(sonde --dry); COMP_CWORD=1; _sonde; echo "${COMPREPLY[*]}"' _ \
	"$tmp/usr/share/bash-completion/completions/sonde") || [ "$out" != "--dry-run" ]; then
	fail "installed bash completion: '--dry' completed to '$out', expected '--dry-run'"
fi

if [ "$failures" -ne 0 ]; then
	echo "$failures failed"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: running the installed sonde needs root (files checked)"
	exit 77
fi

# A script found through PATH, with only the installed bin directory on it.
cat > "$tmp/hello.bt" <<'BT'
#!/usr/bin/env sonde
begin { printf("hello from %s, $1 = %d\n", "an installed script", $1); exit(); }
BT
chmod +x "$tmp/hello.bt"
out=$(cd "$tmp" && PATH="$tmp/usr/bin:/usr/bin:/bin" ./hello.bt 42 2>"$tmp/hello.err")
status=$?
expected=$'hello from an installed script, $1 = 42'
[ "$status" -eq 0 ] || fail "hello.bt exited $status: $(cat "$tmp/hello.err")"
[ "$out" = "$expected" ] || fail "hello.bt printed '$out', expected '$expected'"
grep -qx 'Attached 1 probe' "$tmp/hello.err" || fail "hello.bt: no 'Attached 1 probe' on stderr: $(cat "$tmp/hello.err")"

# An installed example run as a script.
out=$(PATH="$tmp/usr/bin:/usr/bin:/bin" "$tmp/usr/share/doc/sonde/examples/syscount.bt" -- --seconds=1 2>"$tmp/sys.err")
status=$?
[ "$status" -eq 0 ] || fail "installed syscount.bt exited $status: $(cat "$tmp/sys.err")"
grep -q '^@syscall\[' <<<"$out" || fail "installed syscount.bt printed no @syscall counts: $out"

if [ "$failures" -ne 0 ]; then
	echo "$failures failed"
	exit 1
fi
echo "install: prefix and DESTDIR trees complete, installed scripts run"
