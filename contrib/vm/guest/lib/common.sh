# Helpers for the guest suites: case reporting that the host counts.
# Each case prints exactly one line: "ZCT PASS name" or "ZCT FAIL name: why".

pass() { echo "ZCT PASS $1"; }
fail() { echo "ZCT FAIL $1: $(printf '%s' "$2" | tr '\n' ' ' | cut -c1-300)"; }
