#!/usr/bin/env bash
# Quick fuzz smoke run, as CI runs it: `bash fuzz/smoke.sh`.
#
# 1. Builds every fuzz target the way `cargo fuzz build` does (same
#    RUSTFLAGS: sancov instrumentation, `--cfg fuzzing`, release with
#    debug assertions off and line tables), with the address sanitizer.
#    cargo-fuzz itself is not needed: installing it costs ~2 minutes of
#    the budget, and the flags are all it adds. The machine has only
#    stable Rust; the `-Z` flags are accepted with RUSTC_BOOTSTRAP=1, and
#    stable rust-std ships the ASan runtime for x86_64 Linux. If the
#    sanitizer build fails anyway (no runtime for this target), the
#    targets are rebuilt without a sanitizer (`-s none`): the property
#    assertions and libFuzzer's hang and memory limits still apply, only
#    memory-error detection is lost (the library forbids `unsafe`).
# 2. Runs each target on big generated inputs, one execution each, under
#    a short per-input timeout: a decoder that is not linear time hangs
#    there.
# 3. Fuzzes each target for FUZZ_SECONDS (default 12) from a temporary
#    copy of its seeds in fuzz/seeds/<target>, so the committed seeds stay
#    as they are.
#
# A crash, a failed property, a timeout or a memory blow-up exits
# non-zero; the input is kept under fuzz/artifacts/<target>/ and printed
# in hex. Environment: FUZZ_SECONDS, FUZZ_TARGETS (space-separated
# subset), FUZZ_SANITIZER (address or none).
set -euo pipefail
cd "$(dirname "$0")"

seconds=${FUZZ_SECONDS:-12}
targets=${FUZZ_TARGETS:-"compat_dict_json compat_bytes compat_ascii pyjson salt compat_decrypt compat_roundtrip db_manifest db_tag db_root_salt db_journal db_open aot2_open"}
sanitizer=${FUZZ_SANITIZER:-address}
triple=$(rustc -vV | sed -n 's/^host: //p')
target_dir=target
start=$(date +%s)

# The flags of `cargo fuzz build` (cargo-fuzz 0.13, release, Linux), in
# its order: with the same flags, `cargo fuzz run` reuses this build.
build() {
    local flags="-Cpasses=sancov-module \
 -Cllvm-args=-sanitizer-coverage-level=4 \
 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
 -Cllvm-args=-sanitizer-coverage-pc-table \
 -Cllvm-args=-sanitizer-coverage-trace-compares \
 --cfg fuzzing \
 -Cllvm-args=-simplifycfg-branch-fold-threshold=0"
    if [ "$1" != none ]; then
        flags="$flags -Zsanitizer=$1"
    fi
    flags="$flags -Cllvm-args=-sanitizer-coverage-stack-depth -Ccodegen-units=1"
    # --target keeps RUSTFLAGS away from build scripts and proc macros.
    RUSTC_BOOTSTRAP=1 RUSTFLAGS="$flags" cargo build --release --bins \
        --target "$triple" --target-dir "$target_dir" \
        --config 'profile.release.debug="line-tables-only"'
}

echo "== fuzz: building targets (sanitizer: $sanitizer)"
if ! build "$sanitizer"; then
    if [ "$sanitizer" = none ]; then
        exit 1
    fi
    echo "!! fuzz: the $sanitizer sanitizer build failed; falling back to no sanitizer" >&2
    sanitizer=none
    build none
fi
bin_dir=$target_dir/$triple/release
export RUST_BACKTRACE=0
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_odr_violation=0
echo "== fuzz: built in $(($(date +%s) - start)) s"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The end of a failed run's log, without the stack frames.
excerpt() {
    grep -v -E '^ +#[0-9]+ ' "$1" | tail -n 30 >&2 || true
}

# Reports the newest artifact of a failed run in hex; the run goes on
# with the other targets and fails at the end.
failed=0
report() {
    local t=$1 artifact
    artifact=$(find "artifacts/$t" -type f -newer "$work/stamp" | head -n 1 || true)
    echo "!! fuzz: $t failed" >&2
    if [ -n "$artifact" ]; then
        echo "!! input kept at fuzz/$artifact ($(wc -c <"$artifact") bytes), hex:" >&2
        od -An -v -tx1 "$artifact" | tr -d ' \n' | head -c 4096 >&2 || true
        echo >&2
    fi
    failed=1
}

# Big inputs for the linear-time check: each is run once per target.
chars() { head -c "$2" /dev/zero | tr '\0' "$1"; }
repeat() (
    set +o pipefail
    yes -- "$1" | head -n "$2" | tr -d '\n'
)
mib=1048576
big=$work/big
mkdir -p "$big"/{pyjson,compat_dict_json,compat_bytes,compat_ascii,salt,compat_decrypt,compat_roundtrip,db_manifest,db_tag,db_root_salt,db_journal,db_open,aot2_open}
chars '[' $mib >"$big/pyjson/deep"
{ chars '[' 511; chars ']' 511; } >"$big/pyjson/max_depth"
{ printf '"'; repeat '\ud83d\ude80\u00e9x' 50000; printf '"'; } >"$big/pyjson/escapes"
{ printf '"'; repeat '\ud800' 50000; printf '"'; } >"$big/pyjson/lone_surrogates"
{ printf '-'; chars 7 $mib; } >"$big/pyjson/big_int"
{ printf '0.'; chars 3 $mib; printf 'e-5'; } >"$big/pyjson/long_float"
{ printf '{'; repeat '"a": [0], "b": {}, ' 50000; printf '"a": 1}'; } >"$big/pyjson/dup_keys"
{ printf '['; repeat '"k", 1.5, null, ' 60000; printf 'true]'; } >"$big/pyjson/long_list"
{ chars ' ' $mib; printf '1 x'; } >"$big/pyjson/spaces"
hex64=$(chars f 64)
block=$(chars 9 616)
{ printf '{"ciphertext": ['; repeat "$block, " 1500; printf '1], "hmac": "%s", "salt": "%s"}' "$hex64" "$hex64"; } >"$big/compat_dict_json/many_blocks"
{ printf '{"ciphertext": [1'; chars 0 $mib; printf '], "hmac": "", "salt": ""}'; } >"$big/compat_dict_json/huge_int"
{ printf '{"ciphertext": [-'; chars 0 $mib; printf '1], "hmac": "", "salt": ""}'; } >"$big/compat_dict_json/huge_negative"
{ printf '{"hmac": "%s", "salt": "' "$hex64"; chars ' ' $mib; printf '%s", "ciphertext": []}' "$hex64"; } >"$big/compat_dict_json/spaced_salt"
chars '\307' $((64 + 256 * 4096)) >"$big/compat_bytes/many_blocks"
chars '\000' $((64 + 256 * 4095)) >"$big/compat_bytes/zeros"
chars z $mib >"$big/compat_ascii/long"
{ printf 'z'; chars '-' $mib; } >"$big/compat_ascii/long_zero_digits"
chars f $mib >"$big/salt/long"
chars '\034' $mib >"$big/salt/separators"
{ printf '\000'; chars '\307' $((64 + 256 * 4096)); } >"$big/compat_decrypt/bytes_form"
{ printf '\001'; cat "$big/compat_dict_json/many_blocks"; } >"$big/compat_decrypt/dict_json"
{ printf '\002'; chars z $((4 * mib / 3)); } >"$big/compat_decrypt/ascii_form"
{ printf '\377\377'; chars '\307' $((256 * 1024)); } >"$big/compat_roundtrip/quarter_mib"

# The database targets: a flags byte (1: seal the body under the file's
# key, 2: preload), then the body; see fuzz_targets/db_*.rs.
# The fixture's metatag list entry (fuzz/src/db.rs; the key of ["m"] in
# seeds/db_manifest/real_plain.json).
metatags=5vcgygfb7q5sycwp5j4fd9uqpzflr5kpu5v5zp65hx7clq62kt
{ printf '\003{'; seq -f '"k%.0f": 1, ' 1 20000 | tr -d '\n'; printf '"z": 0}'; } >"$big/db_manifest/many_tags"
{ printf '\003{'; repeat '"a": [0], "b": {}, ' 50000; printf '"%s": null}' "$metatags"; } >"$big/db_manifest/dup_keys"
# (1000 children: opening 3000 takes over 20 s, see README.md)
{ printf '\003{"%s": [' "$metatags"; seq -f '%.0f, ' 1 1000 | tr -d '\n'; printf '0]}'; } >"$big/db_manifest/many_children"
{ printf '\003'; chars '[' $mib; } >"$big/db_manifest/deep"
{ printf '\002'; chars '\307' $((64 + 256 * 4096)); } >"$big/db_manifest/raw"
{ printf '\003"'; chars a $mib; printf '"'; } >"$big/db_tag/long_string"
{ printf '\003['; repeat '1.5e300, "x", null, ' 20000; printf '0]'; } >"$big/db_tag/long_list"
{ printf '\003'; chars '[' 511; chars ']' 511; } >"$big/db_tag/max_depth"
{ printf '\012'; chars '\307' $((64 + 256 * 4096)); } >"$big/db_tag/raw_child"
{ printf '\003"'; chars f $mib; printf '"'; } >"$big/db_root_salt/long_salt"
{ printf '\003"'; repeat '\u00e9\\' 40000; printf '"'; } >"$big/db_root_salt/escapes"
{ printf '\002'; chars '\307' $((64 + 256 * 4096)); } >"$big/db_root_salt/raw"
journal_magic='aiootp-db-journal 1\n'
# 90000 puts ("Z": a zero byte, "E": 5), then no deletions.
{ printf '\003'"$journal_magic"'\000\001\137\220'; seq 10000 99999 | sed 's/^/ZE/; s/$/ZZZZZZZZ/' | tr -d '\n' | tr 'ZE' '\000\005'; printf '\000\000\000\000'; } >"$big/db_journal/many_puts"
# No puts, 90000 deletions.
{ printf '\003'"$journal_magic"'\000\000\000\000\000\001\137\220'; seq 10000 99999 | sed 's/^/ZE/' | tr -d '\n' | tr 'ZE' '\000\005'; } >"$big/db_journal/many_deletes"
{ printf '\003'"$journal_magic"'\377\377\377\377'; chars '\001' $mib; } >"$big/db_journal/huge_count"
# db_open records: a selector (0x7f: an extra file, its name follows
# after a length byte; 0x80: seal under the slot's key), a u16 LE length,
# the content. The fixture's files (the seed), then 3000 files of other
# databases, or the fixture with a 64 KiB sealed manifest (slot 0).
{ cat seeds/db_open/fixture.bin; for i in $(seq 10000 13000); do printf '\177\055%s\000\001' "$(chars q 40)$i"; chars x 256; done; } >"$big/db_open/many_files"
# (the last record: shorter than its length says)
{ cat seeds/db_open/fixture.bin; printf '\200\377\377{'; seq -f '"k%.0f": 1, ' 1 5000 | tr -d '\n'; printf '"z": 0}'; } >"$big/db_open/big_manifest"
# AOT2: a 4 MiB message of a valid length (64 records), a 1 MiB
# plaintext sealed and tampered, and a long token.
{ printf '\000'; chars '\307' $((32 + 64 * 65568 + 224)); } >"$big/aot2_open/many_records"
{ printf '\001\001\002\037'; chars x 32768; } >"$big/aot2_open/sealed_1mib"
{ printf '\002'; chars A $mib; } >"$big/aot2_open/long_token"

for t in $targets; do
    bin=$bin_dir/$t
    mkdir -p "artifacts/$t"
    dict=()
    case $t in
        pyjson | compat_dict_json) dict=(-dict=dicts/json.dict) ;;
        salt) dict=(-dict=dicts/salt.dict) ;;
    esac

    touch "$work/stamp"
    echo "== fuzz: $t: big inputs"
    if ! "$bin" -timeout=20 -rss_limit_mb=4096 -artifact_prefix="artifacts/$t/" \
        "$big/$t"/* >"$work/$t.big.log" 2>&1; then
        excerpt "$work/$t.big.log"
        report "$t"
        continue
    fi
    sed -n 's/^Executed .*\/big\//  /p' "$work/$t.big.log"

    echo "== fuzz: $t: ${seconds} s from fuzz/seeds/$t"
    corpus=$work/corpus/$t
    mkdir -p "$corpus"
    cp -R "seeds/$t/." "$corpus/"
    if ! "$bin" "$corpus" "${dict[@]}" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -max_len=8192 -artifact_prefix="artifacts/$t/" \
        -print_final_stats=1 >"$work/$t.log" 2>&1; then
        excerpt "$work/$t.log"
        report "$t"
        continue
    fi
    grep -E '^stat::number_of_executed_units|^Done ' "$work/$t.log" | tr '\n' ' ' || true
    echo
done

elapsed=$(($(date +%s) - start))
if [ "$failed" != 0 ]; then
    echo "!! fuzz: smoke FAILED after $elapsed s (sanitizer: $sanitizer)" >&2
    exit 1
fi
echo "== fuzz: smoke passed in $elapsed s (sanitizer: $sanitizer)"
