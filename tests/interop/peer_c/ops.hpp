// SPDX-License-Identifier: Apache-2.0
// The driver operations, one function each: they read the request, call the
// library and return the response fields (without "ok"), or an Error whose
// code is a driver-contract code.
#pragma once

#include "driver.hpp"
#include "request.hpp"
#include "sotto/core/result.hpp"

// Binds the value of a Result expression to `name`, or returns its error.
#define PEER_C_ASSIGN(name, expr)                                     \
  auto name##_result_ = (expr);                                       \
  if (!name##_result_) return tl::unexpected(name##_result_.error()); \
  auto name = std::move(*name##_result_)

namespace sotto::peer_c {

using OpResult = Result<Json>;

// ops_session.cpp
OpResult op_party_new(Driver& driver, const Json& request);
OpResult op_prekeys_generate(Driver& driver, const Json& request);
OpResult op_session_from_bundle(Driver& driver, const Json& request);
OpResult op_session_info(Driver& driver, const Json& request);
OpResult op_encrypt(Driver& driver, const Json& request);
OpResult op_decrypt(Driver& driver, const Json& request);
OpResult op_identity_get(Driver& driver, const Json& request);
OpResult op_identity_trust(Driver& driver, const Json& request);

// ops_group.cpp
OpResult op_group_distribution(Driver& driver, const Json& request);
OpResult op_group_process(Driver& driver, const Json& request);
OpResult op_group_encrypt(Driver& driver, const Json& request);
OpResult op_group_decrypt(Driver& driver, const Json& request);

// ops_fingerprint.cpp
OpResult op_fingerprint(Driver& driver, const Json& request);
OpResult op_fingerprint_compare(Driver& driver, const Json& request);

}  // namespace sotto::peer_c
