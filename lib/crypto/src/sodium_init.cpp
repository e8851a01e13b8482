// SPDX-License-Identifier: Apache-2.0
#include "sodium_init.hpp"

#include <sodium.h>

#include <cstdlib>

namespace sotto::crypto::detail {

void ensure_sodium() {
  // A function-local static is initialised once, thread-safely (C++11 magic
  // statics); sodium_init() itself is also idempotent.
  static const bool initialised = [] {
    if (sodium_init() < 0) std::abort();
    return true;
  }();
  (void)initialised;
}

}  // namespace sotto::crypto::detail
