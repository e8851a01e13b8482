// SPDX-License-Identifier: Apache-2.0
// The protocol benchmark compares our protocol core with libsignal-protocol-c
// operation by operation. Each implementation file lists its cases; the main
// registers them interleaved (one operation on both libraries, then the next)
// so both sides of a ratio run under similar machine load.
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sotto::bench {

// The operations, in the order they run and appear in the ratio table.
struct Operation {
  std::string_view key;    // benchmark name prefix, e.g. "encrypt"
  std::string_view title;  // row title in the ratio table
};

inline constexpr Operation kOperations[] = {
    {"session_setup", "session setup (bundle → first PreKey message decrypted)"},
    {"encrypt", "1:1 encrypt, 100 B, same chain"},
    {"decrypt", "1:1 decrypt, 100 B, same chain, in order"},
    {"ping_pong", "ping-pong pair (2 messages, 2 DH ratchet steps)"},
    {"group_encrypt", "group encrypt, 100 B"},
    {"group_decrypt", "group decrypt, 100 B, in order"},
    {"fingerprint", "safety number, 5200 iterations (display + scannable)"},
};

// The libraries compared, as the second part of each benchmark name.
inline constexpr std::string_view kSotto = "sotto";
// libsignal-protocol-c with the interop peer's crypto provider.
inline constexpr std::string_view kSignalC = "signal_c";
// libsignal-protocol-c with protocol_bench_signal_c_lean_provider.hpp.
inline constexpr std::string_view kSignalCLean = "signal_c_lean";

inline constexpr std::size_t kMessageSize = 100;
inline constexpr int kFingerprintIterations = 5200;
// Parties or messages prepared per pause of the timer: large enough that the
// pause costs nothing measurable, small enough to stay within the receiving
// limits of both libraries (2000 messages ahead).
inline constexpr std::size_t kSetupBatch = 32;
inline constexpr std::size_t kMessageBatch = 256;

struct BenchCase {
  std::string_view operation;  // an Operation::key
  std::string_view library;    // kSotto, kSignalC or kSignalCLean
  void (*function)(benchmark::State&);
};

std::vector<BenchCase> sotto_cases();
std::vector<BenchCase> signal_c_cases();  // both providers

}  // namespace sotto::bench
