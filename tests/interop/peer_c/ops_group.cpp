// SPDX-License-Identifier: Apache-2.0
// Sender-key groups on libsignal-protocol-c. A v3 peer keys each chain by
// (distribution_id, sender address); the distribution id never goes on the
// wire in v3.
#include <group_cipher.h>
#include <group_session_builder.h>
#include <protocol.h>

#include <optional>

#include "ops.hpp"
#include "sg_errors.hpp"
#include "signal_c_handles.hpp"
#include "sotto/core/encoding.hpp"

namespace sotto::peer_c {
namespace {

using GroupBuilder = Owned<group_session_builder, &group_session_builder_free>;
using GroupCipher = Owned<group_cipher, &group_cipher_free>;

struct SenderKeyName {
  std::string group;
  Address sender;

  // Valid while this object lives; group and name stay NUL-terminated for
  // the library's log lines.
  [[nodiscard]] signal_protocol_sender_key_name view() const {
    return {group.c_str(), group.size(), sender.view()};
  }
};

std::string b64(const signal_buffer* buffer) {
  return base64_encode(ByteView(signal_buffer_const_data(buffer), signal_buffer_len(buffer)));
}

const std::uint8_t* nonnull(const Bytes& bytes) {
  static const std::uint8_t kEmpty = 0;
  return bytes.empty() ? &kEmpty : bytes.data();
}

Result<GroupBuilder> make_builder(Party& party) {
  group_session_builder* raw = nullptr;
  const int rc = group_session_builder_create(&raw, party.store(), party.ctx());
  if (rc < 0) return tl::unexpected(library_error(rc, "group_session_builder_create"));
  return GroupBuilder(raw);
}

Result<GroupCipher> make_cipher(Party& party, const signal_protocol_sender_key_name* name) {
  group_cipher* raw = nullptr;
  const int rc = group_cipher_create(&raw, party.store(), name, party.ctx());
  if (rc < 0) return tl::unexpected(library_error(rc, "group_cipher_create"));
  return GroupCipher(raw);
}

// Puts one sender-key record back as it was if a call fails (the library only
// stores on success today; this keeps the contract if that ever changes).
class SenderKeySnapshot {
 public:
  SenderKeySnapshot(StoreData& data, SenderKeyId id) : data_(data), id_(std::move(id)) {
    if (auto it = data.sender_keys.find(id_); it != data.sender_keys.end()) saved_ = it->second;
  }
  void restore() {
    if (saved_) {
      data_.sender_keys[id_] = *saved_;
    } else {
      data_.sender_keys.erase(id_);
    }
  }

 private:
  StoreData& data_;
  SenderKeyId id_;
  std::optional<Record> saved_;
};

SenderKeyId id_of(const SenderKeyName& name) {
  return {name.group, name.sender.name, name.sender.device};
}

}  // namespace

OpResult op_group_distribution(Driver& driver, const Json& request) {
  PEER_C_ASSIGN(party, driver.party(request));
  PEER_C_ASSIGN(distribution_id, get_string(request, "distribution_id"));
  const SenderKeyName name{distribution_id, party->address()};
  const signal_protocol_sender_key_name view = name.view();
  PEER_C_ASSIGN(builder, make_builder(*party));
  // On an existing chain the library returns its current position (a late
  // joiner reads from there on); only a missing chain is created afresh.
  Ref<sender_key_distribution_message> message;
  const int rc = group_session_builder_create_session(builder.get(), message.out(), &view);
  if (rc < 0) return tl::unexpected(library_error(rc, "group_session_builder_create_session"));
  return Json{{"message", b64(ciphertext_message_get_serialized(
                              reinterpret_cast<ciphertext_message*>(message.get())))}};
}

OpResult op_group_process(Driver& driver, const Json& request) {
  PEER_C_ASSIGN(party, driver.party(request));
  PEER_C_ASSIGN(sender, get_address(request, "sender"));
  PEER_C_ASSIGN(distribution_id, get_string(request, "distribution_id"));
  PEER_C_ASSIGN(bytes, get_base64(request, "message"));
  auto version = check_version_byte(bytes);
  if (!version) return tl::unexpected(version.error());

  party->context().clear_log();
  Ref<sender_key_distribution_message> message;
  int rc = sender_key_distribution_message_deserialize(message.out(), bytes.data(), bytes.size(),
                                                       party->ctx());
  if (rc < 0)
    return tl::unexpected(decrypt_error(rc, party->context(), "parsing the distribution message"));

  const SenderKeyName name{distribution_id, std::move(sender)};
  const signal_protocol_sender_key_name view = name.view();
  PEER_C_ASSIGN(builder, make_builder(*party));
  SenderKeySnapshot snapshot(party->data(), id_of(name));
  rc = group_session_builder_process_session(builder.get(), &view, message.get());
  if (rc < 0) {
    snapshot.restore();
    return tl::unexpected(library_error(rc, "group_session_builder_process_session"));
  }
  return Json::object();
}

OpResult op_group_encrypt(Driver& driver, const Json& request) {
  PEER_C_ASSIGN(party, driver.party(request));
  PEER_C_ASSIGN(distribution_id, get_string(request, "distribution_id"));
  PEER_C_ASSIGN(plaintext, get_base64(request, "plaintext"));
  const SenderKeyName name{distribution_id, party->address()};
  const signal_protocol_sender_key_name view = name.view();
  PEER_C_ASSIGN(cipher, make_cipher(*party, &view));
  Ref<ciphertext_message> message;
  const int rc =
      group_cipher_encrypt(cipher.get(), nonnull(plaintext), plaintext.size(), message.out());
  // No chain: SG_ERR_NO_SESSION; a chain without a signing private key (only
  // received, never created here): SG_ERR_INVALID_KEY.
  if (rc == SG_ERR_NO_SESSION || rc == SG_ERR_INVALID_KEY) {
    return fail(Errc::no_session, "no sending chain for distribution '" + distribution_id +
                                      "' (call group.distribution first)");
  }
  if (rc < 0) return tl::unexpected(library_error(rc, "group_cipher_encrypt"));
  return Json{{"ciphertext", b64(ciphertext_message_get_serialized(message.get()))}};
}

OpResult op_group_decrypt(Driver& driver, const Json& request) {
  PEER_C_ASSIGN(party, driver.party(request));
  PEER_C_ASSIGN(sender, get_address(request, "sender"));
  PEER_C_ASSIGN(distribution_id, get_string(request, "distribution_id"));
  PEER_C_ASSIGN(bytes, get_base64(request, "ciphertext"));
  auto version = check_version_byte(bytes);
  if (!version) return tl::unexpected(version.error());

  party->context().clear_log();
  Ref<sender_key_message> message;
  int rc = sender_key_message_deserialize(message.out(), bytes.data(), bytes.size(), party->ctx());
  if (rc < 0)
    return tl::unexpected(decrypt_error(rc, party->context(), "parsing the sender-key message"));

  const SenderKeyName name{distribution_id, std::move(sender)};
  const signal_protocol_sender_key_name view = name.view();
  PEER_C_ASSIGN(cipher, make_cipher(*party, &view));
  SenderKeySnapshot snapshot(party->data(), id_of(name));
  Buffer plaintext;
  rc = group_cipher_decrypt(cipher.get(), message.get(), nullptr, plaintext.out());
  if (rc < 0) {
    snapshot.restore();
    return tl::unexpected(decrypt_error(rc, party->context(), "decrypting a sender-key message"));
  }
  return Json{{"plaintext", base64_encode(ByteView(plaintext.data(), plaintext.size()))}};
}

}  // namespace sotto::peer_c
