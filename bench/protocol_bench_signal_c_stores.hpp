// SPDX-License-Identifier: Apache-2.0
// Minimal in-memory stores for libsignal-protocol-c parties in the protocol
// benchmark. They do as little as the library allows (plain maps of the byte
// records it hands us, no wiping, no copies beyond the ones the callback API
// forces), so the C side is never slowed down by our glue.
//
// The interop peer (tests/interop/peer_c) has richer stores, but they are
// compiled into its executable rather than a library we could link.
// Bench-only code: linked with the GPL library, never shipped.
#pragma once

#include <signal_protocol.h>

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace sotto::bench {

using CRecord = std::vector<std::uint8_t>;

struct CStoreData {
  CRecord identity_public;   // 33 bytes, 0x05 || X25519 public key
  CRecord identity_private;  // 32 bytes
  std::uint32_t registration_id = 0;
  std::map<std::pair<std::string, std::int32_t>, CRecord> sessions;
  std::map<std::pair<std::string, std::int32_t>, CRecord> identities;
  std::map<std::uint32_t, CRecord> prekeys;
  std::map<std::uint32_t, CRecord> signed_prekeys;
  std::map<std::tuple<std::string, std::string, std::int32_t>, CRecord> sender_keys;
};

// Points every callback table of `store` at `data` (not owned). Returns 0 or
// the library's error code.
int install_bench_stores(signal_protocol_store_context* store, CStoreData* data);

}  // namespace sotto::bench
