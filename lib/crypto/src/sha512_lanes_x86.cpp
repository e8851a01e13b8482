// SPDX-License-Identifier: Apache-2.0
// The x86-64 kernels of sha512_lanes.hpp: one compiled for AVX2 and one for
// AVX-512VL (single-instruction rotations and three-input logic, about 40%
// fewer instructions), each through function target attributes rather than
// global -m flags, so the library still runs on any x86-64. Callers check
// sha512_kernel_supported first; on other architectures there is none.
#include <cstring>

#include "sha512_lanes.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SOTTO_SHA512_X86 1
#include <immintrin.h>
#endif

namespace sotto::crypto::detail {

#ifdef SOTTO_SHA512_X86

namespace {

#define SOTTO_SHA512_TARGET "avx2"
#define SOTTO_SHA512_NS avx2
#define SOTTO_SHA512_AVX512 0
#include "sha512_lanes_kernel.inc"
#undef SOTTO_SHA512_TARGET
#undef SOTTO_SHA512_NS
#undef SOTTO_SHA512_AVX512

#define SOTTO_SHA512_TARGET "avx2,avx512f,avx512vl"
#define SOTTO_SHA512_NS avx512
#define SOTTO_SHA512_AVX512 1
#include "sha512_lanes_kernel.inc"
#undef SOTTO_SHA512_TARGET
#undef SOTTO_SHA512_NS
#undef SOTTO_SHA512_AVX512

}  // namespace

bool sha512_kernel_supported(Sha512Kernel kernel) {
  __builtin_cpu_init();
  switch (kernel) {
    case Sha512Kernel::kAvx512:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avx512f") &&
             __builtin_cpu_supports("avx512vl");
    case Sha512Kernel::kAvx2:
      return __builtin_cpu_supports("avx2");
    case Sha512Kernel::kNone:
      break;
  }
  return false;
}

void sha512_compress_lanes(Sha512LaneState& state, const std::uint8_t* const blocks[kSha512Lanes],
                           Sha512Kernel kernel) {
  switch (kernel) {
    case Sha512Kernel::kAvx512:
      return avx512::compress(state, blocks);
    case Sha512Kernel::kAvx2:
      return avx2::compress(state, blocks);
    case Sha512Kernel::kNone:
      break;
  }
  __builtin_trap();  // callers check support first
}

#else  // no kernel on this target

bool sha512_kernel_supported(Sha512Kernel) { return false; }

void sha512_compress_lanes(Sha512LaneState&, const std::uint8_t* const[kSha512Lanes],
                           Sha512Kernel) {
  __builtin_trap();  // callers check support first
}

#endif

}  // namespace sotto::crypto::detail
