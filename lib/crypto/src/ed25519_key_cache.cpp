// SPDX-License-Identifier: Apache-2.0
#include "ed25519_key_cache.hpp"

#include <algorithm>
#include <memory>

namespace sotto::crypto::detail {

namespace {

struct Entry {
  std::array<std::uint8_t, 32> key{};
  std::uint64_t last_use = 0;  // 0: empty
  bool has_table = false;
  GePoint3 point;
  GeKeyTable table;
};

struct KeyCache {
  std::array<Entry, kKeyCacheEntries> entries;
  std::uint64_t clock = 0;
};

// Heap-allocated on a thread's first verification (about 61 KB), so threads
// that never verify pay nothing for it.
thread_local std::unique_ptr<KeyCache> t_cache;

}  // namespace

GeCachedKey ge_cached_key(std::span<const std::uint8_t, 32> key) {
  if (!t_cache) t_cache = std::make_unique<KeyCache>();
  KeyCache& cache = *t_cache;
  ++cache.clock;
  for (Entry& e : cache.entries) {
    if (e.last_use != 0 && std::equal(key.begin(), key.end(), e.key.begin())) {
      e.last_use = cache.clock;
      if (!e.has_table) {
        ge_build_table(e.point, e.table);
        e.has_table = true;
      }
      return {&e.point, &e.table};
    }
  }

  std::array<std::uint8_t, 32> y{};
  std::copy(key.begin(), key.end(), y.begin());
  y[31] &= 0x7f;
  const auto point = ge_decompress(y, (key[31] & 0x80) != 0);
  if (!point) return {};  // not cached: invalid keys are rare and cheap to re-reject
  Entry& victim =
      *std::min_element(cache.entries.begin(), cache.entries.end(),
                        [](const Entry& l, const Entry& r) { return l.last_use < r.last_use; });
  std::copy(key.begin(), key.end(), victim.key.begin());
  victim.last_use = cache.clock;
  victim.has_table = false;
  victim.point = *point;
  return {&victim.point, nullptr};
}

}  // namespace sotto::crypto::detail
