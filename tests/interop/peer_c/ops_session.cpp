// SPDX-License-Identifier: Apache-2.0
// Parties, prekeys, 1:1 sessions and identities on libsignal-protocol-c.
#include <curve.h>
#include <key_helper.h>
#include <protocol.h>
#include <ratchet.h>
#include <session_builder.h>
#include <session_cipher.h>
#include <session_pre_key.h>
#include <session_record.h>
#include <session_state.h>

#include <algorithm>
#include <limits>
#include <optional>

#include "ops.hpp"
#include "sg_errors.hpp"
#include "signal_c_handles.hpp"
#include "sotto/core/encoding.hpp"

namespace sotto::peer_c {
namespace {

constexpr std::size_t kPublicKeySize = 33;  // 0x05 || X25519 public key
constexpr std::size_t kSignatureSize = 64;

using SessionBuilder = Owned<session_builder, &session_builder_free>;
using SessionCipher = Owned<session_cipher, &session_cipher_free>;

std::string b64(const std::uint8_t* data, std::size_t size) {
  return base64_encode(ByteView(data, size));
}
std::string b64(const Buffer& buffer) { return b64(buffer.data(), buffer.size()); }

// The library never reads through a null pointer for length 0, but handing it
// one is still undefined behaviour in the callee's memcpy.
const std::uint8_t* nonnull(const Bytes& bytes) {
  static const std::uint8_t kEmpty = 0;
  return bytes.empty() ? &kEmpty : bytes.data();
}

Result<std::string> serialize_public(const ec_public_key* key) {
  Buffer out;
  const int rc = ec_public_key_serialize(out.out(), key);
  if (rc < 0) return tl::unexpected(library_error(rc, "serializing a public key"));
  return b64(out);
}

// A 33-byte 0x05-prefixed key from the request; `code` is what a bad key means
// for this operation.
Result<Ref<ec_public_key>> decode_public(const Bytes& bytes, signal_context* ctx,
                                         std::string_view field, Errc code) {
  Ref<ec_public_key> key;
  if (bytes.size() != kPublicKeySize ||
      curve_decode_point(key.out(), bytes.data(), bytes.size(), ctx) < 0) {
    return fail(code, std::string(field) + " is not a 33-byte 0x05-prefixed Curve25519 key");
  }
  return key;
}

Result<SessionCipher> make_cipher(Party& party, const signal_protocol_address* address) {
  session_cipher* raw = nullptr;
  const int rc = session_cipher_create(&raw, party.store(), address, party.ctx());
  if (rc < 0) return tl::unexpected(library_error(rc, "session_cipher_create"));
  return SessionCipher(raw);
}

// What a failed decryption or session setup might have written for one peer.
// The C library saves the sender's identity from a PreKey message before it
// checks the MAC; the contract wants a failed decryption to change nothing,
// so the caller puts this back on failure.
class PeerSnapshot {
 public:
  PeerSnapshot(StoreData& data, const AddressKey& peer) : data_(data), peer_(peer) {
    if (auto it = data.sessions.find(peer); it != data.sessions.end()) session_ = it->second;
    if (auto it = data.identities.find(peer); it != data.identities.end()) identity_ = it->second;
    prekeys_ = data.prekeys;
  }
  void restore() {
    restore_entry(data_.sessions, session_);
    restore_entry(data_.identities, identity_);
    data_.prekeys = prekeys_;
  }

 private:
  void restore_entry(std::map<AddressKey, Record>& map, const std::optional<Record>& saved) {
    if (saved) {
      map[peer_] = *saved;
    } else {
      map.erase(peer_);
    }
  }

  StoreData& data_;
  AddressKey peer_;
  std::optional<Record> session_;
  std::optional<Record> identity_;
  std::map<std::uint32_t, Record> prekeys_;
};

// libsignal refuses to encrypt to a session whose remote identity is no longer
// the trusted one (e.g. after identity.trust accepted a new key but before a
// new session exists); libsignal-protocol-c leaves that check to its caller.
Status check_session_identity_trusted(Party& party, const signal_protocol_address& address) {
  auto known = party.data().identities.find(address_key(address));
  if (known == party.data().identities.end()) return ok();
  Ref<session_record> record;
  int rc = signal_protocol_session_load_session(party.store(), record.out(), &address);
  if (rc < 0) return tl::unexpected(library_error(rc, "loading the session"));
  session_state* state = session_record_get_state(record.get());
  ec_public_key* remote = state != nullptr ? session_state_get_remote_identity_key(state) : nullptr;
  if (remote == nullptr) return ok();
  Buffer serialized;
  rc = ec_public_key_serialize(serialized.out(), remote);
  if (rc < 0) return tl::unexpected(library_error(rc, "serializing the session identity"));
  const Record& trusted = known->second;
  if (trusted.size() != serialized.size() ||
      !std::equal(trusted.begin(), trusted.end(), serialized.data())) {
    return fail(Errc::untrusted_identity,
                "the session's identity key is no longer the trusted one");
  }
  return ok();
}

}  // namespace

OpResult op_party_new(Driver& driver, const Json& request) {
  PEER_C_ASSIGN(name, get_string(request, "party"));
  PEER_C_ASSIGN(address, get_address(request, "address"));
  PEER_C_ASSIGN(registration_id, get_u32(request, "registration_id"));
  PEER_C_ASSIGN(version, get_integer(request, "version", std::numeric_limits<std::int64_t>::min(),
                                     std::numeric_limits<std::int64_t>::max()));
  if (version != 3) {
    return fail(Errc::bad_request, "protocol version " + std::to_string(version) +
                                       " is not implemented by libsignal-protocol-c (v3 only)");
  }
  std::optional<std::array<std::uint8_t, 32>> seed;
  if (has_field(request, "seed")) {
    PEER_C_ASSIGN(seed_bytes, get_base64(request, "seed"));
    if (seed_bytes.size() != 32) return fail(Errc::bad_request, "seed must be 32 bytes");
    seed.emplace();
    std::copy(seed_bytes.begin(), seed_bytes.end(), seed->begin());
  }
  PEER_C_ASSIGN(party, Party::create(std::move(address), registration_id, seed));
  Json out{{"identity_key",
            b64(party->data().identity_public.data(), party->data().identity_public.size())}};
  driver.set_party(name, std::move(party));
  return out;
}

OpResult op_prekeys_generate(Driver& driver, const Json& request) {
  PEER_C_ASSIGN(party, driver.party(request));
  PEER_C_ASSIGN(signed_id, get_u32(request, "signed_prekey_id"));
  if (has_field(request, "kyber_prekey_id")) {
    return fail(Errc::bad_request, "Kyber prekeys are v4; libsignal-protocol-c is v3 only");
  }
  std::optional<std::uint32_t> one_time_id;
  if (has_field(request, "one_time_prekey_id")) {
    PEER_C_ASSIGN(id, get_u32(request, "one_time_prekey_id"));
    one_time_id = id;
  }

  Ref<ratchet_identity_key_pair> identity;
  int rc = signal_protocol_identity_get_key_pair(party->store(), identity.out());
  if (rc < 0) return tl::unexpected(library_error(rc, "loading the identity key pair"));

  // The timestamp is stored with the key only; it never reaches the wire.
  Ref<session_signed_pre_key> signed_prekey;
  rc = signal_protocol_key_helper_generate_signed_pre_key(signed_prekey.out(), identity.get(),
                                                          signed_id, 0, party->ctx());
  if (rc >= 0) rc = signal_protocol_signed_pre_key_store_key(party->store(), signed_prekey.get());
  if (rc < 0) return tl::unexpected(library_error(rc, "generating the signed prekey"));

  PEER_C_ASSIGN(identity_b64,
                serialize_public(ratchet_identity_key_pair_get_public(identity.get())));
  PEER_C_ASSIGN(signed_b64, serialize_public(ec_key_pair_get_public(
                                session_signed_pre_key_get_key_pair(signed_prekey.get()))));
  Json bundle{
      {"registration_id", party->data().registration_id},
      {"device_id", party->address().device},
      {"identity_key", identity_b64},
      {"signed_prekey_id", signed_id},
      {"signed_prekey", signed_b64},
      {"signed_prekey_signature",
       b64(session_signed_pre_key_get_signature(signed_prekey.get()),
           session_signed_pre_key_get_signature_len(signed_prekey.get()))},
  };

  if (one_time_id) {
    // Note: the C library never deletes prekey id 0xFFFFFF after use (its
    // "last resort" id); every other id is one-time.
    Ref<ec_key_pair> pair;
    Ref<session_pre_key> prekey;
    rc = curve_generate_key_pair(party->ctx(), pair.out());
    if (rc >= 0) rc = session_pre_key_create(prekey.out(), *one_time_id, pair.get());
    if (rc >= 0) rc = signal_protocol_pre_key_store_key(party->store(), prekey.get());
    if (rc < 0) return tl::unexpected(library_error(rc, "generating the one-time prekey"));
    PEER_C_ASSIGN(prekey_b64, serialize_public(ec_key_pair_get_public(pair.get())));
    bundle["prekey_id"] = *one_time_id;
    bundle["prekey"] = prekey_b64;
  }
  return Json{{"bundle", bundle}};
}

OpResult op_session_from_bundle(Driver& driver, const Json& request) {
  PEER_C_ASSIGN(party, driver.party(request));
  PEER_C_ASSIGN(peer, get_address(request, "peer"));
  PEER_C_ASSIGN(bundle_json, get_object(request, "bundle"));
  const Json& b = *bundle_json;
  PEER_C_ASSIGN(registration_id, get_u32(b, "registration_id"));
  PEER_C_ASSIGN(device_id,
                get_integer(b, "device_id", 0, std::numeric_limits<std::int32_t>::max()));
  PEER_C_ASSIGN(identity_bytes, get_base64(b, "identity_key"));
  PEER_C_ASSIGN(signed_id, get_u32(b, "signed_prekey_id"));
  PEER_C_ASSIGN(signed_bytes, get_base64(b, "signed_prekey"));
  PEER_C_ASSIGN(signature, get_base64(b, "signed_prekey_signature"));
  const bool has_prekey = has_field(b, "prekey");
  if (has_prekey != has_field(b, "prekey_id")) {
    return fail(Errc::bad_request, "bundle: prekey and prekey_id come together");
  }
  // Kyber fields of a v4 bundle are ignored: a v3 client builds a v3 session.

  signal_context* ctx = party->ctx();
  PEER_C_ASSIGN(identity,
                decode_public(identity_bytes, ctx, "bundle identity_key", Errc::invalid_message));
  PEER_C_ASSIGN(signed_prekey,
                decode_public(signed_bytes, ctx, "bundle signed_prekey", Errc::invalid_message));
  // The library answers a wrong-length signature with SG_ERR_INVAL.
  if (signature.size() != kSignatureSize)
    return fail(Errc::invalid_signature, "signed prekey signature is not 64 bytes");
  std::uint32_t prekey_id = 0;
  Ref<ec_public_key> prekey;
  if (has_prekey) {
    PEER_C_ASSIGN(id, get_u32(b, "prekey_id"));
    PEER_C_ASSIGN(prekey_bytes, get_base64(b, "prekey"));
    PEER_C_ASSIGN(key, decode_public(prekey_bytes, ctx, "bundle prekey", Errc::invalid_message));
    prekey_id = id;
    prekey = std::move(key);
  }

  Ref<session_pre_key_bundle> bundle;
  int rc = session_pre_key_bundle_create(bundle.out(), registration_id, static_cast<int>(device_id),
                                         prekey_id, prekey.get(), signed_id, signed_prekey.get(),
                                         signature.data(), signature.size(), identity.get());
  if (rc < 0) return tl::unexpected(library_error(rc, "session_pre_key_bundle_create"));

  const signal_protocol_address address = peer.view();
  session_builder* raw = nullptr;
  rc = session_builder_create(&raw, party->store(), &address, ctx);
  if (rc < 0) return tl::unexpected(library_error(rc, "session_builder_create"));
  SessionBuilder builder(raw);

  PeerSnapshot snapshot(party->data(), address_key(address));
  party->context().clear_log();
  rc = session_builder_process_pre_key_bundle(builder.get(), bundle.get());
  if (rc < 0) {
    snapshot.restore();
    // A bad signature on the signed prekey is SG_ERR_INVALID_KEY, told apart
    // from other key problems only by the log line.
    if (rc == SG_ERR_INVALID_KEY && party->context().log_contains("invalid signature")) {
      return fail(Errc::invalid_signature, "signed prekey signature does not verify");
    }
    return tl::unexpected(library_error(rc, "processing the bundle"));
  }
  return Json::object();
}

OpResult op_session_info(Driver& driver, const Json& request) {
  PEER_C_ASSIGN(party, driver.party(request));
  PEER_C_ASSIGN(peer, get_address(request, "peer"));
  const signal_protocol_address address = peer.view();
  const int contains = signal_protocol_session_contains_session(party->store(), &address);
  if (contains < 0) return tl::unexpected(library_error(contains, "contains_session"));
  if (contains == 0) return Json{{"exists", false}, {"version", nullptr}};
  PEER_C_ASSIGN(cipher, make_cipher(*party, &address));
  std::uint32_t version = 0;
  const int rc = session_cipher_get_session_version(cipher.get(), &version);
  if (rc < 0) return tl::unexpected(library_error(rc, "session_cipher_get_session_version"));
  return Json{{"exists", true}, {"version", version}};
}

OpResult op_encrypt(Driver& driver, const Json& request) {
  PEER_C_ASSIGN(party, driver.party(request));
  PEER_C_ASSIGN(peer, get_address(request, "peer"));
  PEER_C_ASSIGN(plaintext, get_base64(request, "plaintext"));
  const signal_protocol_address address = peer.view();
  // Without a session the library would fail with SG_ERR_UNKNOWN.
  const int contains = signal_protocol_session_contains_session(party->store(), &address);
  if (contains < 0) return tl::unexpected(library_error(contains, "contains_session"));
  if (contains == 0)
    return fail(Errc::no_session,
                "no session with " + peer.name + "." + std::to_string(peer.device));
  auto trusted = check_session_identity_trusted(*party, address);
  if (!trusted) return tl::unexpected(trusted.error());

  PEER_C_ASSIGN(cipher, make_cipher(*party, &address));
  Ref<ciphertext_message> message;
  const int rc =
      session_cipher_encrypt(cipher.get(), nonnull(plaintext), plaintext.size(), message.out());
  if (rc < 0) return tl::unexpected(library_error(rc, "session_cipher_encrypt"));
  const int type = ciphertext_message_get_type(message.get());
  const signal_buffer* serialized = ciphertext_message_get_serialized(message.get());
  return Json{
      {"type", type == CIPHERTEXT_PREKEY_TYPE ? "prekey" : "whisper"},
      {"ciphertext", b64(signal_buffer_const_data(serialized), signal_buffer_len(serialized))}};
}

OpResult op_decrypt(Driver& driver, const Json& request) {
  PEER_C_ASSIGN(party, driver.party(request));
  PEER_C_ASSIGN(peer, get_address(request, "peer"));
  PEER_C_ASSIGN(type, get_string(request, "type"));
  PEER_C_ASSIGN(ciphertext, get_base64(request, "ciphertext"));
  if (type != "prekey" && type != "whisper") {
    return fail(Errc::bad_request, "type must be \"prekey\" or \"whisper\"");
  }
  auto version = check_version_byte(ciphertext);
  if (!version) return tl::unexpected(version.error());

  const signal_protocol_address address = peer.view();
  signal_context* ctx = party->ctx();
  PEER_C_ASSIGN(cipher, make_cipher(*party, &address));
  PeerSnapshot snapshot(party->data(), address_key(address));
  party->context().clear_log();
  Buffer plaintext;
  int rc = 0;
  if (type == "prekey") {
    Ref<pre_key_signal_message> message;
    rc = pre_key_signal_message_deserialize(message.out(), ciphertext.data(), ciphertext.size(),
                                            ctx);
    if (rc >= 0)
      rc = session_cipher_decrypt_pre_key_signal_message(cipher.get(), message.get(), nullptr,
                                                         plaintext.out());
  } else {
    Ref<signal_message> message;
    rc = signal_message_deserialize(message.out(), ciphertext.data(), ciphertext.size(), ctx);
    if (rc >= 0)
      rc = session_cipher_decrypt_signal_message(cipher.get(), message.get(), nullptr,
                                                 plaintext.out());
  }
  if (rc < 0) {
    snapshot.restore();
    return tl::unexpected(decrypt_error(rc, party->context(), "decrypting a " + type + " message"));
  }
  return Json{{"plaintext", b64(plaintext)}};
}

OpResult op_identity_get(Driver& driver, const Json& request) {
  PEER_C_ASSIGN(party, driver.party(request));
  PEER_C_ASSIGN(peer, get_address(request, "peer"));
  const auto& identities = party->data().identities;
  auto it = identities.find(address_key(peer.view()));
  if (it == identities.end()) return Json{{"identity_key", nullptr}};
  return Json{{"identity_key", b64(it->second.data(), it->second.size())}};
}

OpResult op_identity_trust(Driver& driver, const Json& request) {
  PEER_C_ASSIGN(party, driver.party(request));
  PEER_C_ASSIGN(peer, get_address(request, "peer"));
  PEER_C_ASSIGN(key_bytes, get_base64(request, "identity_key"));
  PEER_C_ASSIGN(key, decode_public(key_bytes, party->ctx(), "identity_key", Errc::bad_request));
  const signal_protocol_address address = peer.view();
  const int rc = signal_protocol_identity_save_identity(party->store(), &address, key.get());
  if (rc < 0) return tl::unexpected(library_error(rc, "save_identity"));
  return Json::object();
}

}  // namespace sotto::peer_c
