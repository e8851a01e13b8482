// SPDX-License-Identifier: Apache-2.0
#include "ed25519_tables.hpp"

#include <cstdlib>
#include <vector>

namespace sotto::crypto::detail {

namespace {

// row[k] = (2k + 1) P in extended coordinates, by repeated addition of 2P.
void odd_multiples(const GePoint3& p, GePoint3* row, int count) {
  const GeCached twice = ge_to_cached(ge_to_p3(ge_double(ge_p3_to_p2(p))));
  row[0] = p;
  for (int k = 1; k < count; ++k) row[k] = ge_to_p3(ge_add(row[k - 1], twice));
}

// P_j = 2^(c j) P by c doublings of P_(j-1), the odd multiples of each, then
// one shared inversion for all of them.
template <int kOdd>
void build(const GePoint3& p, GeSplitTable<kOdd>& out) {
  std::vector<GePoint3> points(static_cast<std::size_t>(kGeChunks) * kOdd);
  std::vector<Fe> scratch(points.size());
  GePoint3 chunk_base = p;
  for (int j = 0; j < kGeChunks; ++j) {
    if (j > 0) {
      GePoint2 q = ge_p3_to_p2(chunk_base);
      for (int i = 0; i < kGeChunkBits - 1; ++i) q = ge_to_p2(ge_double(q));
      chunk_base = ge_to_p3(ge_double(q));
    }
    odd_multiples(chunk_base, &points[static_cast<std::size_t>(j) * kOdd], kOdd);
  }
  std::vector<GeAffine> affine(points.size());
  ge_batch_to_affine(points.data(), affine.data(), scratch.data(), points.size());
  for (int j = 0; j < kGeChunks; ++j) {
    for (int k = 0; k < kOdd; ++k) {
      out.odd[j][k] = affine[static_cast<std::size_t>(j) * kOdd + k];
    }
  }
}

}  // namespace

void ge_build_table(const GePoint3& p, GeKeyTable& out) { build(p, out); }

void ge_build_small_table(const GePoint3& p, GeSmallTable& out) {
  std::array<GePoint3, kSmallOdd> row;
  odd_multiples(p, row.data(), kSmallOdd);
  for (int k = 0; k < kSmallOdd; ++k) out[k] = ge_to_cached(row[k]);
}

GePoint3 ge_base_point() {
  std::array<std::uint8_t, 32> y{};
  y[0] = 0x58;
  for (int i = 1; i < 32; ++i) y[i] = 0x66;
  auto b = ge_decompress(y, false);
  if (!b) std::abort();  // cannot happen: B is on the curve
  return *b;
}

const GeBaseTable& ge_base_table() {
  // Built once, thread-safely (function-local static), in well under 1 ms;
  // kept for the life of the process.
  static const GeBaseTable* const table = [] {
    auto* t = new GeBaseTable;
    build(ge_base_point(), *t);
    return t;
  }();
  return *table;
}

}  // namespace sotto::crypto::detail
