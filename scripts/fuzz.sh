#!/usr/bin/env bash
# Runs the four libFuzzer targets of Fuzz/ one after another, each for SECONDS, and prints per target the
# executions, exec/s, final coverage (cov: edges, ft: features), corpus size and findings.
#
# Usage: scripts/fuzz.sh BIN_DIR SECONDS [TARGET...]   (TARGET: dhcp tftp http profile; default all four)
# Environment: FUZZ_RSS_MB (default 2048), FUZZ_DIR (default .build/fuzz).
# Seeds come from the test fixtures (scripts/fuzz-seeds.py); the growing corpus stays in FUZZ_DIR/corpus/<target>;
# crashing inputs land in FUZZ_DIR/artifacts/<target>/. Any finding, or libFuzzer exiting non-zero, fails the run:
# commit the input under Tests/Fixtures/fuzz-regressions/<target>/ and fix the bug (docs/fuzzing.md).
set -uo pipefail
cd "$(dirname "$0")/.."
bin_dir=$1
seconds=$2
shift 2
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(dhcp tftp http profile)
rss_mb=${FUZZ_RSS_MB:-2048}
fuzz_dir=${FUZZ_DIR:-.build/fuzz}
source Tests/lib/report.sh

python3 scripts/fuzz-seeds.py "$fuzz_dir/seeds" || exit 1

declare -A binary=([dhcp]=FuzzDHCP [tftp]=FuzzTFTP [http]=FuzzHTTP [profile]=FuzzProfile)
# DHCP datagrams reach 16384 bytes at most; TFTP requests are short (DATA payloads are opaque); HTTP targets are
# capped at 4096 bytes;
# profile folders are a few kilobytes.
declare -A max_len=([dhcp]=4096 [tftp]=1024 [http]=4200 [profile]=8192)
summary=()
for target in "${targets[@]}"; do
    exe="$bin_dir/${binary[$target]}"
    corpus="$fuzz_dir/corpus/$target"
    artifacts="$fuzz_dir/artifacts/$target"
    log="$fuzz_dir/$target.log"
    mkdir -p "$corpus" "$artifacts"
    before=$(find "$artifacts" -type f | wc -l)
    echo "fuzz: $target for ${seconds}s (log $log)"
    # SWIFT_BACKTRACE=enable=no: Swift's backtracer would otherwise catch the fault before ASan reports it.
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1} \
        "$exe" -max_total_time="$seconds" -rss_limit_mb="$rss_mb" -max_len="${max_len[$target]}" \
        -timeout=10 -print_final_stats=1 -dict="Fuzz/dictionaries/$target.dict" \
        -artifact_prefix="$artifacts/" "$corpus" "$fuzz_dir/seeds/$target" > "$log" 2>&1
    status=$?
    runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    elapsed=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<< "$last")
    execs_per_s=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    [ -z "$runs" ] && runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    # libFuzzer's own count of the inputs it keeps (corp: N/size), and the files in the corpus folder, which also
    # hold inputs later runs superseded.
    corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p' <<< "$last")
    corpus_size=$(find "$corpus" -type f | wc -l)
    findings=$(( $(find "$artifacts" -type f | wc -l) - before ))
    line=$(printf '%-8s runs %-10s exec/s %-7s cov %-6s ft %-6s corp %-12s files %-6s findings %s' "$target" \
        "${runs:-?}" "${execs_per_s:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$corpus_size" "$findings")
    summary+=("$line${elapsed:+ (${elapsed}s)}")
    if [ "$status" -eq 0 ] && [ "$findings" -eq 0 ]; then
        pass "fuzz $target: ${runs:-?} executions, no finding"
    else
        fail "fuzz $target: libFuzzer exit $status, $findings new input(s) in $artifacts" \
            "$(grep -E 'ERROR: |error:|Fatal error|SUMMARY:|Test unit written' "$log" | head -5 || tail -3 "$log")"
    fi
done
echo "fuzz summary (${seconds}s per target, -rss_limit_mb=$rss_mb):"
printf '  %s\n' "${summary[@]}"
report fuzz
