// SPDX-License-Identifier: Apache-2.0
// Double Ratchet encrypt/decrypt (Double Ratchet §3.4-3.5) in Signal's v3 form.
#include "sotto/protocol/session_cipher.hpp"

#include <algorithm>

#include "ratchet_kdf.hpp"
#include "sotto/crypto/aes.hpp"
#include "sotto/crypto/ct.hpp"
#include "sotto/crypto/hash.hpp"
#include "sotto/wire/signal_message.hpp"
#include "sotto/wire/version.hpp"
#include "x3dh.hpp"

namespace sotto::protocol {
namespace {

constexpr std::uint8_t kSessionVersion = wire::kVersion3;

using Mac = std::array<std::uint8_t, wire::kMacSize>;

// HMAC(mac_key, sender identity || receiver identity || version || protobuf)[0:8].
Mac message_mac(const crypto::SecretKey<32>& mac_key, const PublicKey& sender_identity,
                const PublicKey& receiver_identity, ByteView body) {
  crypto::HmacSha256 hmac(mac_key.expose());
  hmac.update(sender_identity.serialize());
  hmac.update(receiver_identity.serialize());
  hmac.update(body);
  auto tag = hmac.finish();
  Mac mac;
  std::copy_n(tag.begin(), mac.size(), mac.begin());
  return mac;
}

template <class T>
tl::unexpected<Error> error_of(const Result<T>& r) {
  return tl::unexpected(r.error());
}

Result<Bytes> encrypt_with_state(SessionState& state, ByteView plaintext) {
  auto keys = detail::derive_message_keys(detail::message_seed(state.sender_chain));
  auto ciphertext = crypto::aes_cbc_encrypt(keys.cipher_key.expose(), keys.iv.expose(), plaintext);
  if (!ciphertext) return error_of(ciphertext);

  wire::SignalMessage message;
  message.message_version = static_cast<std::uint8_t>(state.version);
  auto ratchet = state.sender_ratchet.public_key.serialize();
  message.ratchet_key.assign(ratchet.begin(), ratchet.end());
  message.counter = state.sender_chain.index;
  message.previous_counter = state.previous_counter;
  message.ciphertext = std::move(*ciphertext);
  Bytes serialized = wire::encode_signal_message_body(message);
  auto mac = message_mac(keys.mac_key, state.local_identity, state.remote_identity, serialized);
  append(serialized, mac);
  detail::advance_chain(state.sender_chain);
  return serialized;
}

// A DH ratchet step on receiving a new ratchet key from the peer (Double Ratchet §3.5).
Result<ReceiverChain*> ratchet_to(SessionState& state, const PublicKey& their_ratchet,
                                  crypto::Rng& rng) {
  auto receiving = detail::kdf_root(state.root_key, state.sender_ratchet, their_ratchet);
  if (!receiving) return error_of(receiving);
  auto next_ratchet = KeyPair::generate(rng);
  auto sending = detail::kdf_root(receiving->root_key, next_ratchet, their_ratchet);
  if (!sending) return error_of(sending);

  state.previous_counter = state.sender_chain.index == 0 ? 0 : state.sender_chain.index - 1;
  state.root_key = std::move(sending->root_key);
  state.sender_ratchet = std::move(next_ratchet);
  state.sender_chain = std::move(sending->chain);
  state.add_receiver_chain({their_ratchet, std::move(receiving->chain), {}});
  return &state.receiver_chains.back();
}

Result<Bytes> decrypt_with_state(SessionState& state, const wire::ParsedSignalMessage& parsed,
                                 crypto::Rng& rng) {
  const auto& message = parsed.message;
  if (message.message_version != state.version) {
    return fail(Errc::invalid_message, "message version does not match the session");
  }
  auto their_ratchet = PublicKey::deserialize(message.ratchet_key);
  if (!their_ratchet) return fail(Errc::invalid_message, "bad ratchet key");

  ReceiverChain* chain = state.find_receiver_chain(*their_ratchet);
  if (chain == nullptr) {
    auto created = ratchet_to(state, *their_ratchet, rng);
    if (!created) return error_of(created);
    chain = *created;
  }
  auto seed = detail::take_message_seed(chain->chain, chain->skipped, message.counter);
  if (!seed) return error_of(seed);
  auto keys = detail::derive_message_keys(*seed);

  auto mac = message_mac(keys.mac_key, state.remote_identity, state.local_identity, parsed.body);
  if (!crypto::ct_equal(mac, parsed.mac)) return fail(Errc::invalid_mac, "message MAC mismatch");

  auto plaintext =
      crypto::aes_cbc_decrypt(keys.cipher_key.expose(), keys.iv.expose(), message.ciphertext);
  if (!plaintext) return fail(Errc::invalid_message, "message does not decrypt");
  // The peer has our session: stop wrapping our messages in PreKey messages.
  state.pending_prekey.reset();
  return plaintext;
}

// Tries the current state, then the archived ones (a peer may still send on a
// state we replaced, e.g. after simultaneous initiation). The state that
// decrypts becomes current. The first state's error is reported if none does.
Result<Bytes> decrypt_from_record(SessionRecord& record, const wire::ParsedSignalMessage& parsed,
                                  crypto::Rng& rng) {
  std::optional<Error> first_error;
  if (auto* current = record.current()) {
    auto trial = current->clone();
    auto plaintext = decrypt_with_state(trial, parsed, rng);
    if (plaintext) {
      *current = std::move(trial);
      return plaintext;
    }
    // The message belongs to the current chain: another state cannot help.
    if (plaintext.error().code == Errc::duplicate_message ||
        plaintext.error().code == Errc::too_far_in_future) {
      return error_of(plaintext);
    }
    first_error = plaintext.error();
  }
  for (std::size_t i = 0; i < record.archived().size(); ++i) {
    auto trial = record.archived()[i]->clone();
    auto plaintext = decrypt_with_state(trial, parsed, rng);
    if (plaintext) {
      record.promote_archived(i, std::move(trial));
      return plaintext;
    }
  }
  if (first_error) return tl::unexpected(*first_error);
  return fail(Errc::no_session, "no session state can decrypt this message");
}

// A PreKey message is decrypted only by the state its base key set up: trying
// others could not succeed and would multiply the work a forgery costs us.
Result<Bytes> decrypt_on_base_key_state(SessionRecord& record, const PublicKey& base_key,
                                        const wire::ParsedSignalMessage& parsed,
                                        crypto::Rng& rng) {
  auto matches = [&](const SessionState& s) {
    return s.version == kSessionVersion && crypto::ct_equal(s.base_key.raw(), base_key.raw());
  };
  if (auto* current = record.current(); current != nullptr && matches(*current)) {
    auto trial = current->clone();
    auto plaintext = decrypt_with_state(trial, parsed, rng);
    if (plaintext) *current = std::move(trial);
    return plaintext;
  }
  for (std::size_t i = 0; i < record.archived().size(); ++i) {
    if (!matches(*record.archived()[i])) continue;
    auto trial = record.archived()[i]->clone();
    auto plaintext = decrypt_with_state(trial, parsed, rng);
    if (plaintext) record.promote_archived(i, std::move(trial));
    return plaintext;
  }
  return fail(Errc::internal, "session state for the PreKey message vanished");
}

Status check_trusted(SessionStores& stores, const ProtocolAddress& remote, const PublicKey& identity,
                     Direction direction) {
  auto trusted = stores.identity.is_trusted_identity(remote, identity, direction);
  if (!trusted) return error_of(trusted);
  if (!*trusted) return fail(Errc::untrusted_identity, "identity key of " + remote.name + " changed");
  return ok();
}

Result<SessionRecord> load_existing(SessionStores& stores, const ProtocolAddress& remote) {
  auto record = stores.sessions.load_session(remote);
  if (!record) return error_of(record);
  if (!*record || !(*record)->has_current_state()) {
    return fail(Errc::no_session, "no session with " + remote.name);
  }
  return std::move(**record);
}

}  // namespace

Result<CiphertextMessage> encrypt(const ProtocolAddress& remote, ByteView plaintext,
                                  SessionStores& stores, crypto::Rng&) {
  auto record = load_existing(stores, remote);
  if (!record) return error_of(record);
  SessionState& state = *record->current();
  SOTTO_TRY(check_trusted(stores, remote, state.remote_identity, Direction::sending));

  auto signal_message = encrypt_with_state(state, plaintext);
  if (!signal_message) return error_of(signal_message);

  CiphertextMessage out;
  if (state.pending_prekey) {
    wire::PreKeySignalMessage prekey;
    prekey.message_version = static_cast<std::uint8_t>(state.version);
    prekey.registration_id = state.local_registration_id;
    prekey.pre_key_id = state.pending_prekey->prekey_id;
    prekey.signed_pre_key_id = state.pending_prekey->signed_prekey_id;
    auto base = state.pending_prekey->base_key.serialize();
    prekey.base_key.assign(base.begin(), base.end());
    auto identity = state.local_identity.serialize();
    prekey.identity_key.assign(identity.begin(), identity.end());
    prekey.message = std::move(*signal_message);
    out.type = MessageType::prekey;
    out.serialized = wire::encode_prekey_signal_message(prekey);
  } else {
    out.type = MessageType::whisper;
    out.serialized = std::move(*signal_message);
  }
  SOTTO_TRY(stores.sessions.store_session(remote, std::move(*record)));
  return out;
}

Result<Bytes> decrypt_signal_message(const ProtocolAddress& remote, ByteView serialized,
                                     SessionStores& stores, crypto::Rng& rng) {
  auto parsed = wire::parse_signal_message(serialized);
  if (!parsed) return error_of(parsed);
  auto record = stores.sessions.load_session(remote);
  if (!record) return error_of(record);
  if (!*record) return fail(Errc::no_session, "no session with " + remote.name);

  auto plaintext = decrypt_from_record(**record, *parsed, rng);
  if (!plaintext) return plaintext;
  SOTTO_TRY(check_trusted(stores, remote, (*record)->current()->remote_identity,
                          Direction::receiving));
  SOTTO_TRY(stores.sessions.store_session(remote, std::move(**record)));
  return plaintext;
}

Result<Bytes> decrypt_prekey_message(const ProtocolAddress& remote, ByteView serialized,
                                     SessionStores& stores, crypto::Rng& rng) {
  auto parsed = wire::parse_prekey_signal_message(serialized);
  if (!parsed) return error_of(parsed);
  if (parsed->message_version != kSessionVersion) {
    return fail(Errc::unknown_version, "only version 3 sessions are supported here");
  }
  auto their_identity = PublicKey::deserialize(parsed->identity_key);
  if (!their_identity) return fail(Errc::invalid_message, "bad identity key");
  auto base_key = PublicKey::deserialize(parsed->base_key);
  // The base key names the session setup; a second spelling of the same key
  // would let a replayed PreKey message set up the session again.
  if (!base_key || !base_key->is_canonical()) return fail(Errc::invalid_message, "bad base key");
  auto inner = wire::parse_signal_message(parsed->message);
  if (!inner) return error_of(inner);
  SOTTO_TRY(check_trusted(stores, remote, *their_identity, Direction::receiving));

  auto loaded = stores.sessions.load_session(remote);
  if (!loaded) return error_of(loaded);
  SessionRecord record = *loaded ? std::move(**loaded) : SessionRecord{};

  std::optional<std::uint32_t> used_prekey;
  if (!record.has_state_with_base_key(kSessionVersion, *base_key)) {
    auto signed_prekey = stores.signed_prekeys.load_signed_prekey(parsed->signed_pre_key_id);
    if (!signed_prekey) return error_of(signed_prekey);
    std::optional<PreKeyRecord> one_time;
    if (parsed->pre_key_id) {
      auto loaded_prekey = stores.prekeys.load_prekey(*parsed->pre_key_id);
      if (!loaded_prekey) return error_of(loaded_prekey);
      one_time = std::move(*loaded_prekey);
      used_prekey = parsed->pre_key_id;
    }
    auto state = detail::initialize_bob({stores.identity.identity_key_pair(),
                                         signed_prekey->key_pair,
                                         one_time ? &one_time->key_pair : nullptr, *their_identity,
                                         *base_key});
    if (!state) return error_of(state);
    state->local_registration_id = stores.identity.local_registration_id();
    state->remote_registration_id = parsed->registration_id;
    record.promote_new_state(std::move(*state));
  }

  auto plaintext = decrypt_on_base_key_state(record, *base_key, *inner, rng);
  if (!plaintext) return plaintext;

  // Commit only now: a forged PreKey message must not replace an identity,
  // burn a one-time prekey or disturb a session.
  SOTTO_TRY(stores.sessions.store_session(remote, std::move(record)));
  if (used_prekey) SOTTO_TRY(stores.prekeys.remove_prekey(*used_prekey));
  auto saved = stores.identity.save_identity(remote, *their_identity);
  if (!saved) return error_of(saved);
  return plaintext;
}

}  // namespace sotto::protocol
