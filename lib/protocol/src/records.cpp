// SPDX-License-Identifier: Apache-2.0
// Records <-> protobuf (proto/records.proto). Every protobuf message that held
// a secret is scrubbed before it is freed, on success and on failure alike.
#include "sotto/protocol/records.hpp"

#include <string>

#include "proto/records.pb.h"
#include "sotto/protocol/limits.hpp"

namespace sotto::protocol {
namespace {

namespace pb = sotto::records::pb;

constexpr std::size_t kRawKeySize = 32;

void wipe(std::string* s) { crypto::secure_wipe(s->data(), s->size()); }

void scrub(pb::Chain& c) { wipe(c.mutable_key()); }
void scrub(pb::SkippedKey& k) { wipe(k.mutable_seed()); }
void scrub(pb::ReceiverChain& r) {
  scrub(*r.mutable_chain());
  for (auto& k : *r.mutable_skipped()) scrub(k);
}
void scrub(pb::SessionState& s) {
  wipe(s.mutable_root_key());
  wipe(s.mutable_sender_ratchet_private());
  scrub(*s.mutable_sender_chain());
  for (auto& r : *s.mutable_receiver_chains()) scrub(r);
}
void scrub(pb::SessionRecord& r) {
  if (r.has_current()) scrub(*r.mutable_current());
  for (auto& s : *r.mutable_archived()) scrub(s);
}
void scrub(pb::SenderKeyState& s) {
  scrub(*s.mutable_chain());
  wipe(s.mutable_signing_private());
  for (auto& k : *s.mutable_skipped()) scrub(k);
}
void scrub(pb::SenderKeyRecord& r) {
  for (auto& s : *r.mutable_states()) scrub(s);
}
void scrub(pb::KeyPairRecord& r) { wipe(r.mutable_private_key()); }

// A protobuf message that is scrubbed however the scope is left.
template <class Message>
struct Scrubbed {
  Message message;
  Scrubbed() = default;
  Scrubbed(const Scrubbed&) = delete;
  Scrubbed& operator=(const Scrubbed&) = delete;
  ~Scrubbed() { scrub(message); }
};

template <class Message>
crypto::SecretBytes to_secret_bytes(const Message& message) {
  crypto::SecretBytes out(message.ByteSizeLong());
  message.SerializeWithCachedSizesToArray(out.mutable_bytes().data());
  return out;
}

template <class Message>
Status parse_into(Message& message, ByteView bytes, const char* what) {
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX) ||
      !message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return fail(Errc::invalid_message, std::string(what) + " record is malformed");
  }
  return ok();
}

tl::unexpected<Error> bad(const char* what) {
  return fail(Errc::invalid_message, std::string(what) + " record is inconsistent");
}

void put(std::string* out, ByteView bytes) {
  out->assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

Result<PublicKey> get_public(const std::string& s) {
  if (s.size() != kRawKeySize) return bad("public key");
  crypto::X25519Public raw;
  std::copy(s.begin(), s.end(), raw.begin());
  return PublicKey(raw);
}

template <std::size_t N>
Result<crypto::SecretKey<N>> get_secret(const std::string& s) {
  if (s.size() != N) return bad("secret key");
  return crypto::SecretKey<N>::from(as_bytes(s));
}

void to_pb(const ChainKey& chain, pb::Chain* out) {
  put(out->mutable_key(), chain.key.expose());
  out->set_index(chain.index);
}

Result<ChainKey> from_pb(const pb::Chain& chain) {
  auto key = get_secret<32>(chain.key());
  if (!key) return tl::unexpected(key.error());
  return ChainKey{std::move(*key), chain.index()};
}

void to_pb(const std::deque<SkippedMessageKey>& skipped,
           google::protobuf::RepeatedPtrField<pb::SkippedKey>* out) {
  for (const auto& k : skipped) {
    auto* entry = out->Add();
    entry->set_index(k.index);
    put(entry->mutable_seed(), k.seed.expose());
  }
}

Result<std::deque<SkippedMessageKey>> from_pb(
    const google::protobuf::RepeatedPtrField<pb::SkippedKey>& skipped) {
  if (static_cast<std::size_t>(skipped.size()) > kMaxSkippedKeysPerChain) return bad("skipped keys");
  std::deque<SkippedMessageKey> out;
  for (const auto& k : skipped) {
    auto seed = get_secret<32>(k.seed());
    if (!seed) return tl::unexpected(seed.error());
    out.push_back({k.index(), std::move(*seed)});
  }
  return out;
}

void to_pb(const SessionState& s, pb::SessionState* out) {
  out->set_version(s.version);
  put(out->mutable_local_identity(), s.local_identity.raw());
  put(out->mutable_remote_identity(), s.remote_identity.raw());
  out->set_local_registration_id(s.local_registration_id);
  out->set_remote_registration_id(s.remote_registration_id);
  put(out->mutable_base_key(), s.base_key.raw());
  put(out->mutable_root_key(), s.root_key.expose());
  put(out->mutable_sender_ratchet_public(), s.sender_ratchet.public_key.raw());
  put(out->mutable_sender_ratchet_private(), s.sender_ratchet.private_key.expose());
  to_pb(s.sender_chain, out->mutable_sender_chain());
  out->set_previous_counter(s.previous_counter);
  for (const auto& chain : s.receiver_chains) {
    auto* r = out->add_receiver_chains();
    put(r->mutable_sender_ratchet_key(), chain.sender_ratchet_key.raw());
    to_pb(chain.chain, r->mutable_chain());
    to_pb(chain.skipped, r->mutable_skipped());
  }
  if (s.pending_prekey) {
    auto* p = out->mutable_pending_prekey();
    if (s.pending_prekey->prekey_id) p->set_prekey_id(*s.pending_prekey->prekey_id);
    p->set_signed_prekey_id(s.pending_prekey->signed_prekey_id);
    put(p->mutable_base_key(), s.pending_prekey->base_key.raw());
  }
}

// Unwraps into `var` or returns the error (keeps the converters readable).
#define RECORD_TRY(var, expr)                                     \
  auto var##_r = (expr);                                          \
  if (!var##_r) return tl::unexpected(var##_r.error());           \
  auto var = std::move(*var##_r)

Result<SessionState> from_pb(const pb::SessionState& in) {
  if (in.version() != 3) return bad("session (unsupported version)");
  if (static_cast<std::size_t>(in.receiver_chains_size()) > kMaxReceiverChains) {
    return bad("session (receiver chains)");
  }
  SessionState s;
  s.version = in.version();
  RECORD_TRY(local_identity, get_public(in.local_identity()));
  RECORD_TRY(remote_identity, get_public(in.remote_identity()));
  RECORD_TRY(base_key, get_public(in.base_key()));
  RECORD_TRY(root_key, get_secret<32>(in.root_key()));
  RECORD_TRY(ratchet_public, get_public(in.sender_ratchet_public()));
  RECORD_TRY(ratchet_private, get_secret<32>(in.sender_ratchet_private()));
  RECORD_TRY(sender_chain, from_pb(in.sender_chain()));
  s.local_identity = local_identity;
  s.remote_identity = remote_identity;
  s.local_registration_id = in.local_registration_id();
  s.remote_registration_id = in.remote_registration_id();
  s.base_key = base_key;
  s.root_key = std::move(root_key);
  // Both halves are stored so a load costs no scalar multiplication.
  s.sender_ratchet = KeyPair{ratchet_public, std::move(ratchet_private)};
  s.sender_chain = std::move(sender_chain);
  s.previous_counter = in.previous_counter();
  for (const auto& r : in.receiver_chains()) {
    RECORD_TRY(ratchet_key, get_public(r.sender_ratchet_key()));
    RECORD_TRY(chain, from_pb(r.chain()));
    RECORD_TRY(skipped, from_pb(r.skipped()));
    s.receiver_chains.push_back({ratchet_key, std::move(chain), std::move(skipped)});
  }
  if (in.has_pending_prekey()) {
    const auto& p = in.pending_prekey();
    RECORD_TRY(pending_base, get_public(p.base_key()));
    s.pending_prekey = PendingPreKey{
        p.has_prekey_id() ? std::optional<std::uint32_t>(p.prekey_id()) : std::nullopt,
        p.signed_prekey_id(), pending_base};
  }
  return s;
}

void to_pb(const SenderKeyState& s, pb::SenderKeyState* out) {
  out->set_chain_id(s.chain_id);
  to_pb(s.chain, out->mutable_chain());
  put(out->mutable_signing_public(), s.signing_public.raw());
  if (s.signing_private) put(out->mutable_signing_private(), s.signing_private->expose());
  to_pb(s.skipped, out->mutable_skipped());
}

Result<SenderKeyState> from_pb(const pb::SenderKeyState& in) {
  SenderKeyState s;
  s.chain_id = in.chain_id();
  RECORD_TRY(chain, from_pb(in.chain()));
  RECORD_TRY(signing_public, get_public(in.signing_public()));
  RECORD_TRY(skipped, from_pb(in.skipped()));
  s.chain = std::move(chain);
  s.signing_public = signing_public;
  s.skipped = std::move(skipped);
  if (in.has_signing_private()) {
    RECORD_TRY(signing_private, get_secret<32>(in.signing_private()));
    s.signing_private = std::move(signing_private);
  }
  return s;
}

Result<KeyPair> key_pair_from(const pb::KeyPairRecord& in) {
  RECORD_TRY(private_key, get_secret<32>(in.private_key()));
  return KeyPair::from_private(std::move(private_key));
}

}  // namespace

crypto::SecretBytes serialize_record(const SessionRecord& record) {
  Scrubbed<pb::SessionRecord> pb_record;
  if (const auto* current = record.current()) to_pb(*current, pb_record.message.mutable_current());
  for (const auto& s : record.archived()) to_pb(*s, pb_record.message.add_archived());
  return to_secret_bytes(pb_record.message);
}

Result<SessionRecord> parse_session_record(ByteView bytes) {
  Scrubbed<pb::SessionRecord> in;
  SOTTO_TRY(parse_into(in.message, bytes, "session"));
  if (static_cast<std::size_t>(in.message.archived_size()) > kMaxArchivedStates) {
    return bad("session (archived states)");
  }
  std::optional<SessionState> current;
  if (in.message.has_current()) {
    RECORD_TRY(state, from_pb(in.message.current()));
    current = std::move(state);
  }
  std::deque<std::shared_ptr<const SessionState>> archived;
  for (const auto& s : in.message.archived()) {
    RECORD_TRY(state, from_pb(s));
    archived.push_back(std::make_shared<const SessionState>(std::move(state)));
  }
  return SessionRecord(std::move(current), std::move(archived));
}

crypto::SecretBytes serialize_record(const SenderKeyRecord& record) {
  Scrubbed<pb::SenderKeyRecord> out;
  for (const auto& s : record.states) to_pb(s, out.message.add_states());
  return to_secret_bytes(out.message);
}

Result<SenderKeyRecord> parse_sender_key_record(ByteView bytes) {
  Scrubbed<pb::SenderKeyRecord> in;
  SOTTO_TRY(parse_into(in.message, bytes, "sender key"));
  if (static_cast<std::size_t>(in.message.states_size()) > kMaxSenderKeyStates) {
    return bad("sender key (states)");
  }
  SenderKeyRecord record;
  for (const auto& s : in.message.states()) {
    RECORD_TRY(state, from_pb(s));
    record.states.push_back(std::move(state));
  }
  return record;
}

crypto::SecretBytes serialize_record(const PreKeyRecord& record) {
  Scrubbed<pb::KeyPairRecord> out;
  out.message.set_id(record.id);
  put(out.message.mutable_private_key(), record.key_pair.private_key.expose());
  return to_secret_bytes(out.message);
}

Result<PreKeyRecord> parse_prekey_record(ByteView bytes) {
  Scrubbed<pb::KeyPairRecord> in;
  SOTTO_TRY(parse_into(in.message, bytes, "prekey"));
  RECORD_TRY(pair, key_pair_from(in.message));
  return PreKeyRecord{in.message.id(), std::move(pair)};
}

crypto::SecretBytes serialize_record(const SignedPreKeyRecord& record) {
  Scrubbed<pb::KeyPairRecord> out;
  out.message.set_id(record.id);
  put(out.message.mutable_private_key(), record.key_pair.private_key.expose());
  put(out.message.mutable_signature(), record.signature);
  out.message.set_timestamp_ms(record.timestamp_ms);
  return to_secret_bytes(out.message);
}

Result<SignedPreKeyRecord> parse_signed_prekey_record(ByteView bytes) {
  Scrubbed<pb::KeyPairRecord> in;
  SOTTO_TRY(parse_into(in.message, bytes, "signed prekey"));
  if (in.message.signature().size() != crypto::XEdDSASignature{}.size()) {
    return bad("signed prekey (signature)");
  }
  RECORD_TRY(pair, key_pair_from(in.message));
  SignedPreKeyRecord record{in.message.id(), std::move(pair), {}, in.message.timestamp_ms()};
  std::copy(in.message.signature().begin(), in.message.signature().end(), record.signature.begin());
  return record;
}

crypto::SecretBytes serialize_identity(const IdentityKeyPair& identity) {
  Scrubbed<pb::KeyPairRecord> out;
  put(out.message.mutable_private_key(), identity.private_key.expose());
  return to_secret_bytes(out.message);
}

Result<IdentityKeyPair> parse_identity(ByteView bytes) {
  Scrubbed<pb::KeyPairRecord> in;
  SOTTO_TRY(parse_into(in.message, bytes, "identity"));
  return key_pair_from(in.message);
}

}  // namespace sotto::protocol
