// SPDX-License-Identifier: Apache-2.0
#include "scenarios.hpp"

#include <array>

namespace sotto::interop {

std::span<const Scenario> all_scenarios() {
  // Sealed sender v1/v2 join here as v4-only entries (min_version 4).
  static constexpr std::array<Scenario, 11> kScenarios = {{
      {"first_contact_otk", 3, 4, run_first_contact_otk,
       "first contact from a bundle with a one-time prekey"},
      {"first_contact_no_otk", 3, 4, run_first_contact_no_otk,
       "first contact from a bundle without a one-time prekey"},
      {"conversation_1000", 3, 4, run_conversation_1000,
       "1000 messages, random direction changes, reordering (window 50), 5% lost"},
      {"jump_1999", 3, 3, run_jump,
       "1999 skipped messages decrypt, a jump past the limit is rejected"},
      {"jump_24999", 4, 4, run_jump,
       "24 999 skipped messages (the newest 2000 kept), a jump past the limit is rejected"},
      {"duplicate", 3, 4, run_duplicate,
       "duplicated messages rejected without harming the session"},
      {"tamper", 3, 4, run_tamper, "every tampered byte rejected without harming the session"},
      {"simultaneous_initiation", 3, 4, run_simultaneous_initiation,
       "both sides start a session at once and converge on one"},
      {"reinstall", 3, 4, run_reinstall,
       "a re-installed peer is untrusted until identity.trust, both directions"},
      {"group_3x3", 3, 4, run_group_3x3,
       "three senders to three receivers with reordering, a late joiner, unknown senders"},
      {"safety_number", 3, 4, run_safety_number,
       "safety numbers equal on both sides, scannable forms match"},
  }};
  return kScenarios;
}

}  // namespace sotto::interop
