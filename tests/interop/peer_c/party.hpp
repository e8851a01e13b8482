// SPDX-License-Identifier: Apache-2.0
// One party of the libsignal-protocol-c peer: its own library context (so its
// randomness can be seeded independently of every other party), its stores and
// its address.
#pragma once

#include <signal_protocol.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>

#include "memory_stores.hpp"
#include "request.hpp"
#include "signal_c_provider.hpp"
#include "sotto/core/result.hpp"

namespace sotto::peer_c {

class Party {
 public:
  // Generates a fresh identity key pair; with `seed`, every key this party
  // ever makes is reproducible.
  static Result<std::unique_ptr<Party>> create(
      Address self, std::uint32_t registration_id,
      const std::optional<std::array<std::uint8_t, 32>>& seed);
  ~Party();
  Party(const Party&) = delete;
  Party& operator=(const Party&) = delete;

  [[nodiscard]] const Address& address() const { return self_; }
  [[nodiscard]] signal_context* ctx() const { return context_->get(); }
  [[nodiscard]] Context& context() { return *context_; }
  [[nodiscard]] signal_protocol_store_context* store() const { return store_; }
  [[nodiscard]] StoreData& data() { return data_; }

 private:
  Party(Address self, std::unique_ptr<Context> context);

  Address self_;
  std::unique_ptr<Context> context_;
  StoreData data_;
  signal_protocol_store_context* store_ = nullptr;  // uses context_ and data_
};

}  // namespace sotto::peer_c
