// SPDX-License-Identifier: Apache-2.0
// Exactly-once bookkeeping: every message gets a sequence id when it is sent;
// the sender's answer and each delivery are recorded against it. At the end
// every acknowledged (200) send must have been delivered exactly once, to its
// recipient, and nothing else may have been delivered. Loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sotto::bench {

class Ledger {
 public:
  // A new sequence id for a message to device `recipient`.
  std::uint64_t issue(std::size_t recipient);
  void answered(std::uint64_t seq, std::uint32_t status);
  // False when `seq` was never issued or belongs to another recipient (also
  // counted, and reported by summary()).
  bool delivered(std::uint64_t seq, std::size_t recipient);

  [[nodiscard]] std::uint64_t issued() const { return entries_.size(); }
  [[nodiscard]] std::uint64_t acked() const { return acked_; }
  [[nodiscard]] std::uint64_t answered_count() const { return answered_; }
  [[nodiscard]] std::uint64_t deliveries() const { return deliveries_; }

  struct Summary {
    std::uint64_t sent = 0;
    std::uint64_t acked = 0;              // answered 200
    std::uint64_t refused = 0;            // answered anything else
    std::uint64_t unanswered = 0;         // no answer at all
    std::uint64_t delivered_once = 0;     // acked and delivered exactly once
    std::uint64_t lost = 0;               // acked, never delivered
    std::uint64_t duplicated = 0;         // delivered more than once
    std::uint64_t delivered_unacked = 0;  // delivered although refused or unanswered
    std::uint64_t unknown = 0;            // delivered with a sequence id never issued
    std::uint64_t misrouted = 0;          // delivered to another device than addressed
    std::map<std::uint32_t, std::uint64_t> refused_by_status;
    [[nodiscard]] bool ok() const;
    [[nodiscard]] std::string describe() const;
    [[nodiscard]] nlohmann::json to_json() const;
  };
  [[nodiscard]] Summary summary() const;

 private:
  enum State : std::uint8_t { kSent, kAcked, kRefused };
  struct Entry {
    std::uint32_t recipient;
    std::uint8_t state;
    std::uint8_t deliveries;  // saturates at 255
    std::uint16_t status;
  };
  std::vector<Entry> entries_;
  std::uint64_t acked_ = 0;
  std::uint64_t answered_ = 0;
  std::uint64_t deliveries_ = 0;
  std::uint64_t unknown_ = 0;
  std::uint64_t misrouted_ = 0;
};

}  // namespace sotto::bench
