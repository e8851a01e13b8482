// SPDX-License-Identifier: Apache-2.0
#include "ledger.hpp"

namespace sotto::bench {

std::uint64_t Ledger::issue(std::size_t recipient) {
  entries_.push_back({static_cast<std::uint32_t>(recipient), kSent, 0, 0});
  return entries_.size() - 1;
}

void Ledger::answered(std::uint64_t seq, std::uint32_t status) {
  if (seq >= entries_.size()) return;
  Entry& e = entries_[seq];
  if (e.state != kSent) return;
  ++answered_;
  e.status = static_cast<std::uint16_t>(status);
  if (status == 200) {
    e.state = kAcked;
    ++acked_;
  } else {
    e.state = kRefused;
  }
}

bool Ledger::delivered(std::uint64_t seq, std::size_t recipient) {
  ++deliveries_;
  if (seq >= entries_.size()) {
    ++unknown_;
    return false;
  }
  Entry& e = entries_[seq];
  if (e.recipient != recipient) {
    ++misrouted_;
    return false;
  }
  if (e.deliveries < 255) ++e.deliveries;
  return true;
}

Ledger::Summary Ledger::summary() const {
  Summary s;
  s.sent = entries_.size();
  s.unknown = unknown_;
  s.misrouted = misrouted_;
  for (const Entry& e : entries_) {
    if (e.state == kAcked) {
      ++s.acked;
      if (e.deliveries == 0) ++s.lost;
      if (e.deliveries == 1) ++s.delivered_once;
    } else {
      if (e.state == kRefused) {
        ++s.refused;
        ++s.refused_by_status[e.status];
      } else {
        ++s.unanswered;
      }
      if (e.deliveries > 0) ++s.delivered_unacked;
    }
    if (e.deliveries > 1) ++s.duplicated;
  }
  return s;
}

bool Ledger::Summary::ok() const {
  return refused == 0 && unanswered == 0 && lost == 0 && duplicated == 0 &&
         delivered_unacked == 0 && unknown == 0 && misrouted == 0;
}

std::string Ledger::Summary::describe() const {
  std::string out = "sent " + std::to_string(sent) + ", acked " + std::to_string(acked) +
                    ", delivered exactly once " + std::to_string(delivered_once) + ", lost " +
                    std::to_string(lost) + ", duplicated " + std::to_string(duplicated) +
                    ", refused " + std::to_string(refused) + ", unanswered " +
                    std::to_string(unanswered) + ", delivered though not acked " +
                    std::to_string(delivered_unacked) + ", unknown " + std::to_string(unknown) +
                    ", misrouted " + std::to_string(misrouted);
  for (const auto& [status, count] : refused_by_status) {
    out += "; status " + std::to_string(status) + " x" + std::to_string(count);
  }
  return out;
}

nlohmann::json Ledger::Summary::to_json() const {
  nlohmann::json refused_json = nlohmann::json::object();
  for (const auto& [status, count] : refused_by_status)
    refused_json[std::to_string(status)] = count;
  return {{"ok", ok()},
          {"sent", sent},
          {"acked", acked},
          {"delivered_once", delivered_once},
          {"lost", lost},
          {"duplicated", duplicated},
          {"refused", refused},
          {"refused_by_status", refused_json},
          {"unanswered", unanswered},
          {"delivered_unacked", delivered_unacked},
          {"unknown", unknown},
          {"misrouted", misrouted}};
}

}  // namespace sotto::bench
