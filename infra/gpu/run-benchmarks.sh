#!/usr/bin/env bash
# Runs the benchmark suite (dev.alphaflow.bench.BenchmarkSuite) on an NVIDIA GPU with ONNX Runtime's CUDA
# execution provider, and records the results in BENCHMARKS.md: rows named <metric>.cuda (the CPU rows are kept)
# and a notes block of their own whose machine line names the GPU as nvidia-smi reports it.
#
#   infra/gpu/run-benchmarks.sh                      # all sections, CUDA provider
#   infra/gpu/run-benchmarks.sh -Dbench.only=single,batch -Dbench.reps=3
#   PROVIDER=tensorrt infra/gpu/run-benchmarks.sh    # TensorRT (with CUDA for the nodes TensorRT does not take)
#
# Needs: an NVIDIA GPU with its driver (nvidia-smi), the CUDA 12 and cuDNN 9 runtime libraries that ONNX Runtime
# 1.29's GPU build links against (on the loader path: ldconfig or LD_LIBRARY_PATH), Java 17+, Maven 3.8+, and
# ../shared (models and data) as for the CPU suite. Arguments are passed on to Maven.
# It stops with a message, before building anything, where no GPU or no CUDA runtime is found; the suite itself
# fails (it never falls back to the CPU) when the provider cannot be initialised.
set -euo pipefail

PROVIDER="${PROVIDER:-cuda}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

fail() {
  echo "run-benchmarks: $*" >&2
  exit 1
}

case "$PROVIDER" in
  cuda|tensorrt) ;;
  *) fail "PROVIDER must be cuda or tensorrt, not '$PROVIDER' (the CPU suite is: mvn -B -ntp -Pbenchmarks -pl integration-tests verify)" ;;
esac

# 1. A GPU and its driver.
command -v nvidia-smi >/dev/null 2>&1 \
  || fail "nvidia-smi not found: this machine has no NVIDIA driver, so no GPU to benchmark. Nothing was run."
if ! GPUS="$(nvidia-smi --query-gpu=index,name,driver_version,memory.total --format=csv,noheader 2>&1)"; then
  fail "nvidia-smi failed, no usable GPU: $GPUS"
fi
[ -n "$GPUS" ] || fail "nvidia-smi lists no GPU. Nothing was run."
echo "run-benchmarks: GPU(s):"
echo "$GPUS" | sed 's/^/  /'

# 2. The CUDA runtime libraries ONNX Runtime's CUDA provider loads (the GPU jar ships the provider, not CUDA).
find_lib() {
  local name="$1" dir
  if command -v ldconfig >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q "$name"; then
    return 0
  fi
  IFS=: read -r -a dirs <<< "${LD_LIBRARY_PATH:-}"
  for dir in "${dirs[@]}" /usr/local/cuda/lib64 /usr/lib/x86_64-linux-gnu; do
    [ -n "$dir" ] && compgen -G "$dir/$name*" >/dev/null && return 0
  done
  return 1
}
missing=()
for lib in libcudart.so.12 libcublasLt.so.12 libcublas.so.12 libcufft.so.11 libcudnn.so.9; do
  find_lib "$lib" || missing+=("$lib")
done
if [ "$PROVIDER" = tensorrt ]; then
  find_lib libnvinfer.so.10 || missing+=("libnvinfer.so.10")
fi
if [ "${#missing[@]}" -gt 0 ]; then
  fail "CUDA runtime libraries not found: ${missing[*]}. ONNX Runtime 1.29 (onnxruntime_gpu) needs CUDA 12.x and cuDNN 9 (TensorRT 10 for tensorrt): install them or add their folder to LD_LIBRARY_PATH. Nothing was run."
fi

cd "$ROOT"
# 3. Build with the GPU artifact of ONNX Runtime (profile gpu) and run the suite with the provider. The modules are
# built in the same reactor (-am) so that every one of them sees onnxruntime_gpu rather than an installed CPU POM.
echo "run-benchmarks: building with -Pgpu and running the benchmark suite on the $PROVIDER provider"
mvn -B -ntp -Pgpu,benchmarks -pl integration-tests -am -DskipTests verify \
  -Dbench.provider="$PROVIDER" "$@"
echo "run-benchmarks: done; see the *.${PROVIDER} rows and the benchmark-suite-${PROVIDER} block in BENCHMARKS.md"
