// SPDX-License-Identifier: Apache-2.0
// Sender Keys, v3 format (spec/signal-wire.md §6).
#include "sotto/protocol/group_cipher.hpp"

#include "ratchet_kdf.hpp"
#include "sotto/crypto/aes.hpp"
#include "sotto/wire/sender_key_message.hpp"

namespace sotto::protocol {
namespace {

template <class T>
tl::unexpected<Error> error_of(const Result<T>& r) {
  return tl::unexpected(r.error());
}

Result<SenderKeyRecord> load_record(SenderKeyStore& store, const ProtocolAddress& sender,
                                    const DistributionId& id) {
  auto loaded = store.load_sender_key(sender, id);
  if (!loaded) return error_of(loaded);
  if (!*loaded || (*loaded)->states.empty()) {
    return fail(Errc::no_session, "no sender key state for " + sender.name);
  }
  return std::move(**loaded);
}

}  // namespace

Result<Bytes> create_sender_key_distribution(const ProtocolAddress& self, const DistributionId& id,
                                             SenderKeyStore& store, crypto::Rng& rng) {
  auto loaded = store.load_sender_key(self, id);
  if (!loaded) return error_of(loaded);
  SenderKeyRecord record = *loaded ? std::move(**loaded) : SenderKeyRecord{};
  if (record.states.empty() || !record.states.front().signing_private) {
    SenderKeyState state;
    // 31 bits, as libsignal draws it, so the id is positive for every peer.
    state.chain_id = rng.next_u32() >> 1;
    rng.fill(state.chain.key.mutable_bytes());
    state.chain.index = 0;
    auto signing = KeyPair::generate(rng);
    state.signing_public = signing.public_key;
    state.signing_private = std::move(signing.private_key);
    record.add_state(std::move(state));
    SOTTO_TRY(store.store_sender_key(self, id, record.clone()));
  }
  const auto& state = record.states.front();
  wire::SenderKeyDistributionMessageV3 message;
  message.chain_id = state.chain_id;
  message.iteration = state.chain.index;
  message.chain_key = state.chain.key.clone();
  auto signing = state.signing_public.serialize();
  message.signing_key.assign(signing.begin(), signing.end());
  return wire::encode_sender_key_distribution_message_v3(message);
}

Status process_sender_key_distribution(const ProtocolAddress& sender, const DistributionId& id,
                                       ByteView serialized, SenderKeyStore& store) {
  auto parsed = wire::parse_sender_key_distribution_message_v3(serialized);
  if (!parsed) return error_of(parsed);
  auto signing = PublicKey::deserialize(parsed->signing_key);
  if (!signing) return error_of(signing);

  auto loaded = store.load_sender_key(sender, id);
  if (!loaded) return error_of(loaded);
  SenderKeyRecord record = *loaded ? std::move(**loaded) : SenderKeyRecord{};
  if (const auto* known = record.find(parsed->chain_id);
      known != nullptr && known->signing_public == *signing) {
    // Already following this chain: a repeat must not rewind it (that would
    // let old messages be decrypted twice).
    return ok();
  }
  SenderKeyState state;
  state.chain_id = parsed->chain_id;
  state.chain = ChainKey{std::move(parsed->chain_key), parsed->iteration};
  state.signing_public = *signing;
  record.add_state(std::move(state));
  return store.store_sender_key(sender, id, std::move(record));
}

Result<Bytes> group_encrypt(const ProtocolAddress& self, const DistributionId& id,
                            ByteView plaintext, SenderKeyStore& store, crypto::Rng& rng) {
  auto record = load_record(store, self, id);
  if (!record) return error_of(record);
  auto& state = record->states.front();
  if (!state.signing_private) return fail(Errc::no_session, "no own sender key chain");

  auto keys = detail::derive_group_message_keys(detail::message_seed(state.chain));
  auto ciphertext = crypto::aes_cbc_encrypt(keys.cipher_key.expose(), keys.iv.expose(), plaintext);
  if (!ciphertext) return error_of(ciphertext);
  wire::SenderKeyMessageV3 message{state.chain_id, state.chain.index, std::move(*ciphertext)};
  Bytes serialized = wire::encode_sender_key_message_body(message);
  auto signature = crypto::xeddsa_sign(*state.signing_private, serialized, rng);
  append(serialized, signature);
  detail::advance_chain(state.chain);
  SOTTO_TRY(store.store_sender_key(self, id, std::move(*record)));
  return serialized;
}

Result<Bytes> group_decrypt(const ProtocolAddress& sender, const DistributionId& id,
                            ByteView serialized, SenderKeyStore& store) {
  auto parsed = wire::parse_sender_key_message_v3(serialized);
  if (!parsed) return error_of(parsed);
  auto record = load_record(store, sender, id);
  if (!record) return error_of(record);
  auto* state = record->find(parsed->message.chain_id);
  if (state == nullptr) return fail(Errc::no_session, "unknown sender key chain");
  if (!state->signing_public.verify_signature(parsed->body, parsed->signature)) {
    return fail(Errc::invalid_signature, "sender key message signature does not verify");
  }
  auto seed = detail::take_message_seed(state->chain, state->skipped, parsed->message.iteration);
  if (!seed) return error_of(seed);
  auto keys = detail::derive_group_message_keys(*seed);
  auto plaintext = crypto::aes_cbc_decrypt(keys.cipher_key.expose(), keys.iv.expose(),
                                           parsed->message.ciphertext);
  if (!plaintext) return fail(Errc::invalid_message, "group message does not decrypt");
  SOTTO_TRY(store.store_sender_key(sender, id, std::move(*record)));
  return plaintext;
}

}  // namespace sotto::protocol
