// SPDX-License-Identifier: Apache-2.0
// Errors are values: every fallible call returns Result<T> = tl::expected<T, Error>.
// An Error carries a code (what went wrong, stable) and a human message (context,
// never secrets: no keys, no plaintext).
#pragma once

#include <string>
#include <tl/expected.hpp>
#include <utility>

#include "sotto/core/errc.hpp"

namespace sotto {

struct Error {
  Errc code = Errc::internal;
  std::string message;
};

template <class T>
using Result = tl::expected<T, Error>;

using Status = Result<void>;

// `return fail(Errc::invalid_mac, "SignalMessage MAC mismatch");`
[[nodiscard]] inline tl::unexpected<Error> fail(Errc code, std::string message = {}) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

[[nodiscard]] inline Status ok() { return {}; }

}  // namespace sotto

// Propagates an error from an expression returning Result<...>; yields nothing.
#define SOTTO_TRY(expr)                                                 \
  do {                                                                  \
    auto&& sotto_try_result_ = (expr);                                  \
    if (!sotto_try_result_) return tl::unexpected(sotto_try_result_.error()); \
  } while (false)
