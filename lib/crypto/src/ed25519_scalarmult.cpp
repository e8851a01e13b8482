// SPDX-License-Identifier: Apache-2.0
#include "ed25519_scalarmult.hpp"

#include "ed25519_scalar.hpp"

namespace sotto::crypto::detail {

namespace {

// One scalar's digits at positions [0, positions) against odd multiples of
// one point; `subtract` negates every digit (for -h A).
template <class Entry>
struct Lane {
  const std::int8_t* digits;
  const Entry* odd;
  bool subtract;
};

// sum over lanes of (sum_k digits[k] 2^k) P_lane, with one shared doubling
// per position from the highest digit down.
template <class EntryA, class EntryB, std::size_t kLanesA, std::size_t kLanesB>
GePoint2 straus(int positions, const std::array<Lane<EntryA>, kLanesA>& lanes_a,
                const std::array<Lane<EntryB>, kLanesB>& lanes_b) {
  int k = positions - 1;
  const auto used = [&](int pos) {
    for (const auto& l : lanes_a) {
      if (l.digits[pos] != 0) return true;
    }
    for (const auto& l : lanes_b) {
      if (l.digits[pos] != 0) return true;
    }
    return false;
  };
  while (k >= 0 && !used(k)) --k;
  if (k < 0) return ge_identity2();

  GePoint2 r = ge_identity2();
  GePoint3 p = ge_identity3();
  GeSum sum;
  bool started = false;  // r is the identity until the first addition
  for (; k >= 0; --k) {
    bool pending = false;  // sum holds the result not yet converted to p
    if (started) {
      sum = ge_double(r);
      pending = true;
    }
    const auto add = [&](const auto& lane) {
      const int d = lane.digits[k];
      if (d == 0) return;
      if (pending) p = ge_to_p3(sum);
      const auto& entry = lane.odd[(d < 0 ? -d : d) / 2];
      sum = ((d < 0) != lane.subtract) ? ge_sub(p, entry) : ge_add(p, entry);
      pending = true;
    };
    for (const auto& l : lanes_a) add(l);
    for (const auto& l : lanes_b) add(l);
    if (pending) {
      r = ge_to_p2(sum);
      started = true;
    }
  }
  return r;
}

}  // namespace

GePoint2 ge_double_scalarmult_vartime(std::span<const std::uint8_t, 32> s,
                                      std::span<const std::uint8_t, 32> h, const GeKeyTable& a) {
  Wnaf s_digits, h_digits;
  sc_wnaf(s, kBaseWindow, s_digits);
  sc_wnaf(h, kKeyWindow, h_digits);
  const GeBaseTable& b = ge_base_table();
  // Digit i of a scalar belongs to chunk i / c at position i % c.
  std::array<Lane<GeAffine>, kGeChunks> lanes_b, lanes_a;
  for (std::size_t j = 0; j < kGeChunks; ++j) {
    lanes_b[j] = {&s_digits[j * kGeChunkBits], b.odd[j].data(), false};
    lanes_a[j] = {&h_digits[j * kGeChunkBits], a.odd[j].data(), true};
  }
  return straus(kGeChunkBits, lanes_b, lanes_a);
}

GePoint2 ge_double_scalarmult_vartime(std::span<const std::uint8_t, 32> s,
                                      std::span<const std::uint8_t, 32> h, const GePoint3& a) {
  Wnaf s_digits, h_digits;
  sc_wnaf(s, kBaseWindow, s_digits);
  sc_wnaf(h, kSmallWindow, h_digits);
  GeSmallTable small;
  ge_build_small_table(a, small);
  const std::array<Lane<GeAffine>, 1> lane_b = {
      {{s_digits.data(), ge_base_table().odd[0].data(), false}}};
  const std::array<Lane<GeCached>, 1> lane_a = {{{h_digits.data(), small.data(), true}}};
  return straus(256, lane_b, lane_a);
}

}  // namespace sotto::crypto::detail
