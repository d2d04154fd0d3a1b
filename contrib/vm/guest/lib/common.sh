# Case reporting for the guest suites; the host counts these lines.
# Each case prints exactly one line: "ZCT PASS name" or "ZCT FAIL name: why".
# Suites run under bash, with coreutils' dd, truncate, stat and cmp first in
# PATH and busybox for the rest.

pass() { echo "ZCT PASS $1"; }
fail() {
	echo "ZCT FAIL $1: $(printf '%s' "$2" | tr '\n' ' ' | tr -cd ' -~' | cut -c1-400)"
	: >/run/zct-failed # /init then shows the kernel log
}

# check NAME CMD...: passes when CMD succeeds; returns whether it did.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$* -> $out"; return 1; fi
}

# must NAME CMD...: like check, but the suite cannot go on without it.
must() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$* -> $out (suite stops here)"
		exit 1
	fi
}

# check_eq NAME WANT GOT
check_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "want '$2', got '$3'"; fi
}

# check_err NAME TEXT CMD...: CMD must fail and say TEXT (an strerror text
# such as "File too large", which is how the tools report an errno).
check_err() {
	local name=$1 text=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		fail "$name" "$* succeeded; want failure '$text'"
	else
		case $out in
		*"$text"*) pass "$name" ;;
		*) fail "$name" "$* -> '$out'; want '$text'" ;;
		esac
	fi
}

# check_fails NAME CMD...: CMD must fail, whatever its error.
check_fails() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then fail "$name" "$* succeeded; want a failure"; else pass "$name"; fi
}

# check_same NAME FILE1 FILE2: identical bytes.
check_same() {
	local out
	if out=$(cmp "$2" "$3" 2>&1); then pass "$1"; else fail "$1" "$out"; fi
}

# randfile FILE BYTES
randfile() { head -c "$2" /dev/urandom >"$1"; }

# fsize FILE, fmode FILE (octal, no type), fowner FILE (uid:gid)
fsize() { stat -c %s "$1"; }
fmode() { stat -c %a "$1"; }
fowner() { stat -c %u:%g "$1"; }
