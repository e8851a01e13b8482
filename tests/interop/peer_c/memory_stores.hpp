// SPDX-License-Identifier: Apache-2.0
// In-memory stores for one party of the libsignal-protocol-c peer: sessions,
// one-time and signed prekeys, identities (trust on first use) and sender keys,
// wired into the library's store callback tables.
// Test-only code (linked with the GPL library).
#pragma once

#include <openssl/crypto.h>
#include <signal_protocol.h>

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace sotto::peer_c {

// Records hold session state and private keys; this allocator wipes them when
// the memory is given back (on erase, overwrite and destruction).
template <class T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() noexcept = default;
  template <class U>
  WipingAllocator(const WipingAllocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)
  T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    OPENSSL_cleanse(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
  }
  template <class U>
  bool operator==(const WipingAllocator<U>&) const noexcept {
    return true;
  }
};

using Record = std::vector<std::uint8_t, WipingAllocator<std::uint8_t>>;
using AddressKey = std::pair<std::string, std::int32_t>;                 // (name, device)
using SenderKeyId = std::tuple<std::string, std::string, std::int32_t>;  // (group, name, device)

AddressKey address_key(const signal_protocol_address& address);

// Everything one party knows. Plain values, so a caller can copy a part away
// before a library call and put it back if the call fails.
struct StoreData {
  Record identity_public;   // 33 bytes, 0x05 || X25519 public key
  Record identity_private;  // 32 bytes
  std::uint32_t registration_id = 0;
  std::map<AddressKey, Record> sessions;
  std::map<std::uint32_t, Record> prekeys;
  std::map<std::uint32_t, Record> signed_prekeys;
  std::map<AddressKey, Record> identities;  // remote identity keys, 33 bytes each
  std::map<SenderKeyId, Record> sender_keys;
};

// Points every store callback table of `store` at `data` (not owned; it must
// outlive the store context). Returns 0 or the library's error code.
int install_memory_stores(signal_protocol_store_context* store, StoreData* data);

}  // namespace sotto::peer_c
