// SPDX-License-Identifier: Apache-2.0
// SenderKeyDistributionMessage, libsignal-protocol-c layout:
// 0x33 || protobuf{1 id, 2 iteration, 3 chainKey, 4 signingKey}
// (spec/signal-wire.md §5, §6). The chain key is secret: every copy this file
// makes of it is wiped before its memory is released.
#include <string>

#include "pb_io.hpp"
#include "proto/sender_keys_v3.pb.h"
#include "sender_key_version.hpp"
#include "sotto/wire/sender_key_message.hpp"
#include "sotto/wire/version.hpp"

namespace sotto::wire {
namespace {

constexpr std::size_t kChainKeySize = 32;

// Wipes the chain key held in the protobuf message's std::string before the
// message frees it. Declared after the message so it runs first, on every
// return path. The whole capacity is wiped: a string that was reassigned
// (a repeated field in hostile input) keeps older bytes past size().
class ChainKeyWiper {
 public:
  explicit ChainKeyWiper(pb::SenderKeyDistributionMessage& message) : message_(message) {}
  ~ChainKeyWiper() {
    if (!message_.has_chain_key()) return;
    std::string& key = *message_.mutable_chain_key();
    key.resize(key.capacity());
    crypto::secure_wipe(key.data(), key.size());
  }
  ChainKeyWiper(const ChainKeyWiper&) = delete;
  ChainKeyWiper& operator=(const ChainKeyWiper&) = delete;

 private:
  pb::SenderKeyDistributionMessage& message_;
};

}  // namespace

Bytes encode_sender_key_distribution_message_v3(const SenderKeyDistributionMessageV3& message) {
  pb::SenderKeyDistributionMessage pb;
  ChainKeyWiper wiper(pb);
  pb.set_id(message.chain_id);
  pb.set_iteration(message.iteration);
  const auto chain_key = message.chain_key.expose();
  pb.set_chain_key(chain_key.data(), chain_key.size());
  pb.set_signing_key(message.signing_key.data(), message.signing_key.size());
  // The result carries the chain key by design: an SKDM is sent only inside a
  // pairwise-encrypted message.
  return detail::serialize_with_version(version_byte(kVersion3, kVersion3), pb);
}

Result<SenderKeyDistributionMessageV3> parse_sender_key_distribution_message_v3(
    ByteView serialized) {
  SOTTO_TRY(detail::check_size(serialized, 1, "SenderKeyDistributionMessage"));
  SOTTO_TRY(detail::check_sender_key_version(serialized[0], "SenderKeyDistributionMessage"));

  pb::SenderKeyDistributionMessage pb;
  ChainKeyWiper wiper(pb);
  SOTTO_TRY(detail::parse_pb(pb, serialized.subspan(1), "SenderKeyDistributionMessage"));
  if (!pb.has_id() || !pb.has_iteration() || !pb.has_chain_key() || !pb.has_signing_key()) {
    return fail(Errc::invalid_message,
                "SenderKeyDistributionMessage: missing id, iteration, chain_key or signing_key");
  }
  if (pb.chain_key().size() != kChainKeySize) {
    return fail(Errc::invalid_message, "SenderKeyDistributionMessage: chain_key is not 32 bytes");
  }
  if (pb.signing_key().size() != detail::kPublicKeySize) {
    return fail(Errc::invalid_message, "SenderKeyDistributionMessage: signing_key is not 33 bytes");
  }

  SenderKeyDistributionMessageV3 out;
  out.chain_id = pb.id();
  out.iteration = pb.iteration();
  out.chain_key = crypto::SecretKey<kChainKeySize>::from(detail::view_of(pb.chain_key()));
  out.signing_key = detail::bytes_of(pb.signing_key());
  return out;
}

}  // namespace sotto::wire
