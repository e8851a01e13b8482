// SPDX-License-Identifier: Apache-2.0
#include "sotto/protocol/sender_keys.hpp"

#include "sotto/protocol/limits.hpp"

namespace sotto::protocol {

SenderKeyState SenderKeyState::clone() const {
  SenderKeyState copy;
  copy.chain_id = chain_id;
  copy.chain = chain.clone();
  copy.signing_public = signing_public;
  if (signing_private) copy.signing_private = signing_private->clone();
  for (const auto& k : skipped) copy.skipped.push_back({k.index, k.seed.clone()});
  return copy;
}

SenderKeyRecord SenderKeyRecord::clone() const {
  SenderKeyRecord copy;
  copy.states.reserve(states.size());
  for (const auto& s : states) copy.states.push_back(s.clone());
  return copy;
}

SenderKeyState* SenderKeyRecord::find(std::uint32_t chain_id) {
  for (auto& s : states) {
    if (s.chain_id == chain_id) return &s;
  }
  return nullptr;
}

void SenderKeyRecord::add_state(SenderKeyState state) {
  states.insert(states.begin(), std::move(state));
  if (states.size() > kMaxSenderKeyStates) states.pop_back();
}

}  // namespace sotto::protocol
