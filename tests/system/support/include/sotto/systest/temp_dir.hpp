// SPDX-License-Identifier: Apache-2.0
// The system tests' name for the shared test folder helper (tests/support).
#pragma once

#include "sotto/testing/temp_dir.hpp"

namespace sotto::systest {

using testing::TempDir;

}  // namespace sotto::systest
