#!/usr/bin/env bash
# Cross-compiles the core and quant tests for linux/arm64 and linux/riscv64 and runs them
# under qemu user-mode emulation, then builds every deployment target (make release gcf), so
# CI proves that the code is right on the devices' architectures and that every target builds.
#
#   targets/cross-test.sh                  everything
#   CROSS_TEST_ONLY=riscv64 targets/cross-test.sh
#   CROSS_TEST_PKGS="./quant/..." CROSS_TEST_FLAGS=-short targets/cross-test.sh
#   CROSS_TEST_BUILD=0 targets/cross-test.sh   the tests only
#
# Runs (each its own go test, so one failing does not hide the others):
#   arm64-a72   qemu-aarch64-static -cpu cortex-a72   Raspberry Pi 4 (ARMv8.0, NEON)
#   arm64-max   qemu-aarch64-static -cpu max          every feature qemu has (SVE2, dotprod, …)
#   riscv64-v   qemu-riscv64-static -cpu rv64,v=true,vlen=128,vext_spec=v1.0   RVV 1.0 boards
# The tests find their fixtures at ../shared as on the host: qemu-user sees the host's files.
# Exits non-zero if a test or a build fails. Installs qemu-user-static with apt-get if missing.
set -uo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
PKGS=${CROSS_TEST_PKGS:-./quant/... ./core/...}
FLAGS=${CROSS_TEST_FLAGS:-}
TIMEOUT=${CROSS_TEST_TIMEOUT:-40m} # per test binary; emulation is 5-20x slower than native
ONLY=${CROSS_TEST_ONLY:-}          # run only the configurations whose name contains this
export CGO_ENABLED=0

if ! command -v qemu-aarch64-static >/dev/null || ! command -v qemu-riscv64-static >/dev/null; then
	echo "== installing qemu-user-static"
	sudo=""
	if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
	$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq qemu-user-static ||
		{ echo "cross-test: could not install qemu-user-static" >&2; exit 1; }
fi
qemu-aarch64-static --version | head -n1

# riscv64 under qemu is ~12x slower than native (arm64 ~4x): the whole of ./core/... takes
# over 15 minutes on 2 cores, so by default it skips the slowest tests whose code is the same
# on every architecture (scheduling, generation loops and speculation, sampling statistics, the KL survey of
# quantization types); the arm64 runs and the native tests cover them. The kernels' tests
# (quant, TestReference, TestMatchesLlamaCpp, ...) all run. CROSS_TEST_RISCV_FLAGS= runs all.
RISCV_FLAGS=${CROSS_TEST_RISCV_FLAGS-"-skip ^(TestScheduler|TestGenerate|TestFrequencies|TestQuantizationKL|TestSpeculation)"}

configs=(
	"arm64-a72|arm64|qemu-aarch64-static -cpu cortex-a72|"
	"arm64-max|arm64|qemu-aarch64-static -cpu max|"
	"riscv64-v|riscv64|qemu-riscv64-static -cpu rv64,v=true,vlen=128,vext_spec=v1.0|$RISCV_FLAGS"
)

failed=()
summary=()
for c in "${configs[@]}"; do
	name=${c%%|*} rest=${c#*|}
	arch=${rest%%|*} rest=${rest#*|}
	exec=${rest%%|*} extra=${rest#*|}
	if [ -n "$ONLY" ] && [[ $name != *"$ONLY"* ]]; then continue; fi
	echo "== $name: GOARCH=$arch go test -exec \"$exec\" $FLAGS $extra $PKGS"
	start=$(date +%s)
	# shellcheck disable=SC2086 # PKGS, FLAGS and extra are word lists
	GOOS=linux GOARCH=$arch $GO test -count=1 -timeout "$TIMEOUT" $FLAGS $extra -exec "$exec" $PKGS
	rc=$?
	secs=$(($(date +%s) - start))
	if [ $rc -ne 0 ]; then
		failed+=("$name")
		summary+=("$name: FAIL in ${secs}s")
	else
		summary+=("$name: ok in ${secs}s")
	fi
done

if [ "${CROSS_TEST_BUILD:-1}" != 0 ]; then
	echo "== building every target"
	# The root Makefile includes targets/targets.mk; name it too if it does not (yet).
	mk=(make)
	if ! grep -q 'targets/targets.mk' Makefile 2>/dev/null; then mk=(make -f Makefile -f targets/targets.mk); fi
	start=$(date +%s)
	if "${mk[@]}" GO="$GO" release gcf; then
		# The Linux binaries must be static: they run on any distribution, and in Lambda.
		for f in dist/deepgo-linux-* dist/lambda/bootstrap-*; do
			if ! command -v file >/dev/null; then echo "cross-test: no file(1): static linking not checked"; break; fi
			if ! file "$f" | grep -q 'statically linked'; then
				echo "cross-test: $f is not statically linked: $(file -b "$f")" >&2
				failed+=("static:$f")
			fi
		done
		summary+=("builds: done in $(($(date +%s) - start))s")
		ls -l dist/deepgo-* dist/lambda/bootstrap-*
	else
		failed+=("builds")
		summary+=("builds: FAIL")
	fi
fi

echo "== summary"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
	echo "cross-test: FAILED: ${failed[*]}" >&2
	exit 1
fi
echo "cross-test: all passed"
