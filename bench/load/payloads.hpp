// SPDX-License-Identifier: Apache-2.0
// What the generator sends as envelope content: real Signal-protocol
// ciphertexts, made once at start and reused.
//
// A real client encrypts every message for its recipient; doing that live for
// tens of thousands of messages a second would make the generator the
// bottleneck, and the server cannot tell the difference: it stores and
// forwards `content` as opaque bytes (docs/server-design.md). So a pair of
// protocol parties (lib/protocol, in-memory stores) set up a session and
// encrypt `count` plaintexts of the requested size once; each is checked to
// decrypt. Sends cycle through them.
//
// To tell messages apart the content is a fixed 16-byte prefix followed by
// the ciphertext: [sequence id, u64 big-endian][send time in ns on the
// generator's steady clock, u64 big-endian]. The server never looks inside
// `content` (it re-wraps it in its own Envelope), so the prefix costs it
// nothing but 16 bytes of size; a real recipient would fail to decrypt these
// messages, which is why only the generator receives them.
//
// The peer servers (XMPP, MQTT) get a text body of the plaintext size instead
// (make_text): [sequence id, 16 hex digits][send ns, 16 hex digits] then
// filler letters, as a chat message of that size would be. They never see
// the Signal ciphertexts: they carry no end-to-end encryption.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sotto/core/bytes.hpp"
#include "sotto/core/result.hpp"

namespace sotto::bench {

inline constexpr std::size_t kContentPrefixSize = 16;

struct Ciphertext {
  std::uint32_t type = 0;  // CiphertextMessageType (2: SignalMessage)
  Bytes serialized;
};

class PayloadPool {
 public:
  // internal if the protocol setup or a decrypt check fails.
  static Result<PayloadPool> make(std::size_t plaintext_size, std::size_t count,
                                  std::uint64_t seed);

  // A pool for the peers: text bodies of `plaintext_size` bytes, no ciphertexts.
  static PayloadPool make_text(std::size_t plaintext_size);
  [[nodiscard]] bool is_text() const { return pool_.empty(); }

  [[nodiscard]] const Ciphertext& pick(std::uint64_t seq) const {
    return pool_[seq % pool_.size()];
  }
  [[nodiscard]] std::size_t plaintext_size() const { return plaintext_size_; }
  // Average envelope content size (prefix included).
  [[nodiscard]] double content_size() const;

  // The content to send for `seq`, stamped with `send_ns`.
  [[nodiscard]] Bytes content(std::uint64_t seq, std::uint64_t send_ns) const;

  struct Stamp {
    std::uint64_t seq = 0;
    std::uint64_t send_ns = 0;
  };
  static std::optional<Stamp> read_stamp(ByteView content);

  // The peers' text body for `seq`, stamped with `send_ns` (make_text).
  [[nodiscard]] std::string text_content(std::uint64_t seq, std::uint64_t send_ns) const;
  static std::optional<Stamp> read_text_stamp(std::string_view body);

 private:
  std::size_t plaintext_size_ = 0;
  std::vector<Ciphertext> pool_;
};

}  // namespace sotto::bench
