// SPDX-License-Identifier: Apache-2.0
// What every parser fuzz target asserts. A failed check aborts, which libFuzzer
// (and the replay runner, through its exit status) reports as a crash.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <initializer_list>

#include "sotto/core/errc.hpp"
#include "sotto/core/result.hpp"
#include "sotto/wire/signal_message.hpp"

#define SOTTO_FUZZ_CHECK(cond)                                                           \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (false)

namespace sotto::fuzz {

// A parser may only fail with the codes its contract names; anything else
// (internal, an unrelated code) means a path we did not design.
inline void check_error_code(const Error& error, std::initializer_list<Errc> allowed) {
  for (Errc code : allowed) {
    if (error.code == code) return;
  }
  std::fprintf(stderr, "unexpected error code %d: %s\n", static_cast<int>(error.code),
               error.message.c_str());
  std::abort();
}

// The three codes of every versioned wire parser.
inline void check_wire_error(const Error& error) {
  check_error_code(error, {Errc::invalid_message, Errc::legacy_version, Errc::unknown_version});
}

// Our encoders always write counters such as previous_counter and
// registration_id, which an input may omit; so an input at the size limit can
// re-encode a few bytes past it. The re-parse must then refuse it for its size
// (and the caller stops checking); true in that case.
template <class T>
bool grew_past_limit(ByteView reencoded, const Result<T>& reparsed) {
  if (reencoded.size() <= wire::kMaxMessageSize) return false;
  SOTTO_FUZZ_CHECK(!reparsed.has_value() && reparsed.error().code == Errc::invalid_message);
  return true;
}

}  // namespace sotto::fuzz
