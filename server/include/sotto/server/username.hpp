// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string_view>

namespace sotto::server {

inline constexpr std::size_t kMinUsernameLength = 3;
inline constexpr std::size_t kMaxUsernameLength = 32;

// Whether `username`, after ASCII case folding (storage::fold_username), is
// 3–32 characters of [a-z0-9_.] (docs/server-design.md "Ops").
[[nodiscard]] bool valid_username(std::string_view username) noexcept;

}  // namespace sotto::server
