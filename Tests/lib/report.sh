# Shared by the shell test scripts: one "ok NAME" / "FAIL NAME" line per check, then the closing count line
# ("NAME: N passed, M failed") that CI reads. Source it, then call pass, fail and report.
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; shift; printf '     %s\n' "$@"; }
# report SUITE: prints the count line and returns non-zero when a check failed.
report() {
    echo "$1: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
