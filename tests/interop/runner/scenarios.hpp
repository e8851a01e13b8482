// SPDX-License-Identifier: Apache-2.0
// The scenarios every pair of drivers must pass (proto-driver contract, last
// section). Each runs between driver A, where "alice" lives, and driver B,
// where "bob" lives; registering both orders of a pair covers both directions.
#pragma once

#include <span>
#include <string_view>

#include "harness.hpp"

namespace sotto::interop {

struct Scenario {
  std::string_view name;
  int min_version;  // protocol versions the scenario applies to
  int max_version;
  Status (*run)(Harness&);
  std::string_view summary;
};

std::span<const Scenario> all_scenarios();

// One function per scenario file.
Status run_first_contact_otk(Harness& h);
Status run_first_contact_no_otk(Harness& h);
Status run_conversation_1000(Harness& h);
Status run_jump(Harness& h);
Status run_duplicate(Harness& h);
Status run_tamper(Harness& h);
Status run_simultaneous_initiation(Harness& h);
Status run_reinstall(Harness& h);
Status run_group_3x3(Harness& h);
Status run_safety_number(Harness& h);

}  // namespace sotto::interop
