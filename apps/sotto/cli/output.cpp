// SPDX-License-Identifier: Apache-2.0
#include "output.hpp"

#include <cstdio>
#include <type_traits>

#include "sotto/core/encoding.hpp"

namespace sotto::cli {

std::string terminal_safe(std::string_view untrusted) {
  std::string out;
  out.reserve(untrusted.size());
  for (unsigned char c : untrusted) {
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string hex_id(const client::AccountId& id) { return hex_encode(id); }

std::string display_name(const client::Sender& sender) {
  if (!sender.username.empty()) return terminal_safe(sender.username);
  return "unknown account " + hex_id(sender.account);
}

namespace {

const char* receipt_name(client::ReceiptType type) {
  return type == client::ReceiptType::read ? "read" : "delivery";
}

nlohmann::json sender_json(const client::Sender& s) {
  nlohmann::json j;
  j["from"] = s.username.empty() ? nlohmann::json() : nlohmann::json(s.username);
  j["fromAccount"] = hex_id(s.account);
  j["fromDevice"] = s.device;
  return j;
}

}  // namespace

nlohmann::json to_json(const client::Event& event) {
  return std::visit(
      [](const auto& e) -> nlohmann::json {
        using T = std::decay_t<decltype(e)>;
        nlohmann::json j;
        if constexpr (std::is_same_v<T, client::MessageReceived>) {
          j = sender_json(e.from);
          j["type"] = "message";
          j["id"] = e.local_id;
          j["guid"] = hex_encode(e.guid);
          j["timestamp"] = e.timestamp;
          j["serverTimestamp"] = e.server_timestamp;
          // Invalid UTF-8 from a peer is replaced, not thrown on.
          j["body"] = e.body;
        } else if constexpr (std::is_same_v<T, client::ReceiptReceived>) {
          j = sender_json(e.from);
          j["type"] = "receipt";
          j["receiptType"] = receipt_name(e.type);
          j["timestamps"] = e.timestamps;
        } else if constexpr (std::is_same_v<T, client::IdentityChanged>) {
          j["type"] = "identityChanged";
          j["username"] = e.username;
          j["account"] = hex_id(e.account);
          j["wasVerified"] = e.was_verified;
        } else if constexpr (std::is_same_v<T, client::DecryptionFailed>) {
          j = sender_json(e.from);
          j["type"] = "decryptionFailed";
          j["guid"] = hex_encode(e.guid);
          j["reason"] = e.reason;
        } else if constexpr (std::is_same_v<T, client::MessageExpiredUnread>) {
          j["type"] = "expired";
          j["destination"] = hex_id(e.destination);
          j["device"] = e.device;
        } else {
          j["type"] = "sendFailed";
          j["destination"] = hex_id(e.destination);
          j["timestamp"] = e.timestamp;
          j["reason"] = e.reason;
        }
        return j;
      },
      event);
}

std::string to_human(const client::Event& event) {
  return std::visit(
      [](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, client::MessageReceived>) {
          return display_name(e.from) + ": " + terminal_safe(e.body);
        } else if constexpr (std::is_same_v<T, client::ReceiptReceived>) {
          return std::string(receipt_name(e.type)) + " receipt from " + display_name(e.from) +
                 " for " + std::to_string(e.timestamps.size()) + " message(s)";
        } else if constexpr (std::is_same_v<T, client::IdentityChanged>) {
          std::string who = e.username.empty() ? hex_id(e.account) : terminal_safe(e.username);
          if (e.was_verified) {
            return "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
                   "!! WARNING: the safety number with " + who + " has CHANGED.\n"
                   "!! You had verified " + who + ". Someone may be impersonating them,\n"
                   "!! or they re-registered. Compare the new number in person:\n"
                   "!!   sotto verify " + who + "\n"
                   "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!";
          }
          return "warning: the safety number with " + who +
                 " changed (compare it: sotto verify " + who + ")";
        } else if constexpr (std::is_same_v<T, client::DecryptionFailed>) {
          return "could not decrypt a message from " + display_name(e.from) + " (" +
                 terminal_safe(e.reason) + ")";
        } else if constexpr (std::is_same_v<T, client::MessageExpiredUnread>) {
          return "a message to account " + hex_id(e.destination) +
                 " expired unread on the server";
        } else {
          return "message " + std::to_string(e.timestamp) + " to account " +
                 hex_id(e.destination) + " could not be sent: " + e.reason;
        }
      },
      event);
}

nlohmann::json to_json(const client::Contact& contact) {
  nlohmann::json j;
  j["username"] = contact.username;
  j["account"] = hex_id(contact.account_id);
  j["verified"] = contact.verified;
  j["identityChanged"] = contact.identity_changed;
  if (contact.identity) {
    auto key = contact.identity->serialize();
    j["identityKey"] = hex_encode(key);
  }
  return j;
}

}  // namespace sotto::cli
