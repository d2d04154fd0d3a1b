#!/usr/bin/env bash
# Runs every tests/e2e/t_*.sh (or those named) and prints one line per case
# and a summary; exits non-zero when any case failed or a script died.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${ZC_BUILD:?ZC_BUILD must name the build folder (run through make e2e)}"
export ZC_BUILD
ZC_RESULTS=$(mktemp /tmp/zc-e2e-results-XXXXXX)
export ZC_RESULTS
scripts=("$@")
[ ${#scripts[@]} -gt 0 ] || scripts=("$here"/t_*.sh)
died=0
for s in "${scripts[@]}"; do
	echo "== $(basename "$s")"
	before=$(wc -l <"$ZC_RESULTS")
	timeout 600 bash "$s"
	rc=$?
	after=$(wc -l <"$ZC_RESULTS")
	if [ "$after" = "$before" ] || { [ "$rc" != 0 ] && ! grep -q '^FAIL' <(tail -n +$((before + 1)) "$ZC_RESULTS"); }; then
		echo "FAIL $(basename "$s"): the script ended with status $rc and no failed case to show for it"
		echo "FAIL $(basename "$s" .sh)/script" >>"$ZC_RESULTS"
		died=1
	fi
done
passed=$(grep -c '^PASS' "$ZC_RESULTS")
failed=$(grep -c '^FAIL' "$ZC_RESULTS")
if [ "$failed" -gt 0 ]; then
	echo "Failed cases:"
	grep '^FAIL' "$ZC_RESULTS" | sed 's/^FAIL /  /'
fi
rm -f "$ZC_RESULTS"
echo "e2e: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$died" = 0 ]
