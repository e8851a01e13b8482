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
// The temporary's name is unique per use, so a SOTTO_TRY whose expression
// contains a lambda with its own SOTTO_TRY does not shadow it.
#define SOTTO_TRY_CONCAT_(a, b) a##b
#define SOTTO_TRY_NAME_(n) SOTTO_TRY_CONCAT_(sotto_try_result_, n)
#define SOTTO_TRY(expr) SOTTO_TRY_IMPL_(expr, SOTTO_TRY_NAME_(__COUNTER__))
#define SOTTO_TRY_IMPL_(expr, name)                        \
  do {                                                     \
    auto&& name = (expr);                                  \
    if (!name) return tl::unexpected(name.error());        \
  } while (false)
