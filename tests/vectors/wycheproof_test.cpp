// SPDX-License-Identifier: Apache-2.0
// Wycheproof known-answer tests for the crypto layer. Every vector of every
// file runs: "valid" must succeed with the exact output, "invalid" must fail,
// "acceptable" may go either way (but must be exact when it succeeds), except
// that X25519 must reject every all-zero shared secret. Each test prints how
// many vectors it ran, fails if that is zero (a wrong path), and names the
// first mismatch by tcId and comment.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "sotto/core/encoding.hpp"
#include "sotto/crypto/aes.hpp"
#include "sotto/crypto/ct.hpp"
#include "sotto/crypto/hash.hpp"
#include "sotto/crypto/x25519.hpp"

// Internal (lib/crypto/src via sotto_crypto_reference): our Ed25519 verifier
// and libsodium's, whose accept/reject policy ours must reproduce.
#include "ed25519_reference.hpp"
#include "ed25519_verify.hpp"

namespace sotto::crypto {
namespace {

using nlohmann::json;

json load(const std::string& name) {
  const std::string path = std::string(SOTTO_WYCHEPROOF_DIR) + "/" + name;
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "cannot open " << path;
    return json::object();
  }
  return json::parse(in, nullptr, /*allow_exceptions=*/false);
}

Bytes hex_field(const json& t, const char* key) {
  auto r = hex_decode(t.at(key).get<std::string>());
  if (!r) throw std::runtime_error(std::string("bad hex in field ") + key);
  return *r;
}

bool has_flag(const json& t, const char* flag) {
  if (!t.contains("flags")) return false;
  const auto& flags = t["flags"];
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

// What a check says about one vector: nullopt = as expected, else why not.
// `succeeded` reports whether our API accepted the input (for "acceptable").
struct Outcome {
  bool succeeded = false;
  std::optional<std::string> mismatch;
};

struct Tally {
  int ran = 0, valid = 0, invalid = 0, acceptable = 0, acceptable_accepted = 0, mismatches = 0;
  std::string first_mismatch;
};

using Check = std::function<Outcome(const json& group, const json& test)>;

// Runs `check` on every vector of `file` and reports like the header says.
void run_file(const std::string& file, const Check& check) {
  const json doc = load(file);
  Tally tally;
  if (doc.is_discarded() || !doc.contains("testGroups")) {
    FAIL() << file << ": not a Wycheproof file (missing or unparsable)";
  }
  for (const auto& group : doc["testGroups"]) {
    for (const auto& test : group["tests"]) {
      ++tally.ran;
      const std::string result = test["result"];
      Outcome out;
      try {
        out = check(group, test);
      } catch (const std::exception& e) {
        out.mismatch = std::string("harness error: ") + e.what();
      }
      if (result == "valid") {
        ++tally.valid;
        if (!out.mismatch && !out.succeeded) out.mismatch = "valid vector was rejected";
      } else if (result == "invalid") {
        ++tally.invalid;
        if (!out.mismatch && out.succeeded) out.mismatch = "invalid vector was accepted";
      } else {
        ++tally.acceptable;
        if (out.succeeded) ++tally.acceptable_accepted;
      }
      if (out.mismatch) {
        if (tally.mismatches++ == 0) {
          tally.first_mismatch = "tcId " + std::to_string(test["tcId"].get<int>()) + " (" +
                                 test.value("comment", std::string()) + ", " + result +
                                 "): " + *out.mismatch;
        }
      }
    }
  }
  std::printf(
      "wycheproof %s: ran %d vectors (%d valid, %d invalid, %d acceptable of which %d "
      "accepted and %d rejected), %d mismatches\n",
      file.c_str(), tally.ran, tally.valid, tally.invalid, tally.acceptable,
      tally.acceptable_accepted, tally.acceptable - tally.acceptable_accepted, tally.mismatches);
  const int declared = doc.value("numberOfTests", -1);
  EXPECT_GT(tally.ran, 0) << file << ": ran no vectors (wrong path or empty file?)";
  if (declared >= 0) {
    EXPECT_EQ(tally.ran, declared) << file << ": numberOfTests disagrees";
  }
  EXPECT_EQ(tally.mismatches, 0) << file << ": " << tally.mismatches
                                 << " mismatches; first: " << tally.first_mismatch;
}

std::string hex_of(ByteView b) { return hex_encode(b); }

TEST(Wycheproof, X25519) {
  run_file("x25519_test.json", [](const json&, const json& t) {
    Outcome o;
    const Bytes priv = hex_field(t, "private");
    const Bytes pub = hex_field(t, "public");
    const Bytes shared = hex_field(t, "shared");
    if (priv.size() != 32 || pub.size() != 32) {
      o.succeeded = false;  // our API only takes 32-byte keys: rejected as input
      return o;
    }
    X25519Public p{};
    std::copy(pub.begin(), pub.end(), p.begin());
    auto r = x25519(X25519Private::from(priv), p);
    o.succeeded = r.has_value();
    const bool must_reject =
        has_flag(t, "ZeroSharedSecret") || has_flag(t, "LowOrderPublic") || ct_is_zero(shared);
    if (must_reject) {
      if (r)
        o.mismatch = "all-zero/low-order shared secret was accepted";
      else if (r.error().code != Errc::zero_shared_secret)
        o.mismatch = "rejected with " + std::string(errc_name(r.error().code));
    } else if (r && !ct_equal(r->expose(), shared)) {
      o.mismatch = "shared secret " + hex_of(r->expose()) + " != " + hex_of(shared);
    }
    return o;
  });
}

TEST(Wycheproof, HmacSha256) {
  run_file("hmac_sha256_test.json", [](const json& g, const json& t) {
    Outcome o;
    const std::size_t tag_bytes = g.at("tagSize").get<std::size_t>() / 8;
    const Bytes key = hex_field(t, "key"), msg = hex_field(t, "msg"), tag = hex_field(t, "tag");
    const auto full = hmac_sha256(key, msg);
    if (tag_bytes > full.size()) {
      o.mismatch = "tagSize larger than 256 bits";
      return o;
    }
    // Truncated tags compare the prefix (RFC 2104 §5).
    o.succeeded = ct_equal(ByteView(full).first(tag_bytes), tag);
    // The incremental API must agree with the one-shot one.
    HmacSha256 inc(key);
    inc.update(ByteView(msg).first(msg.size() / 2));
    inc.update(ByteView(msg).subspan(msg.size() / 2));
    if (inc.finish() != full) o.mismatch = "incremental HMAC differs from one-shot";
    return o;
  });
}

constexpr std::size_t kHkdfMax = 255 * 32;

TEST(Wycheproof, HkdfSha256) {
  run_file("hkdf_sha256_test.json", [](const json&, const json& t) {
    Outcome o;
    const std::size_t size = t.at("size").get<std::size_t>();
    if (size == 0 || size > kHkdfMax) {
      // Our API treats an impossible length as a programming error and aborts
      // (checked by the death test below), so it never produces output.
      o.succeeded = false;
      return o;
    }
    const Bytes ikm = hex_field(t, "ikm"), salt = hex_field(t, "salt"), info = hex_field(t, "info"),
                okm = hex_field(t, "okm");
    const auto out = hkdf_sha256(salt, ikm, info, size);
    o.succeeded = true;
    if (!ct_equal(out.expose(), okm)) o.mismatch = "okm differs";
    return o;
  });
}

TEST(WycheproofDeathTest, HkdfSha256InvalidSizesAbort) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const json doc = load("hkdf_sha256_test.json");
  int checked = 0;
  for (const auto& g : doc.value("testGroups", json::array())) {
    for (const auto& t : g["tests"]) {
      if (t["result"] != "invalid") continue;
      const std::size_t size = t["size"];
      ASSERT_GT(size, kHkdfMax) << "tcId " << t["tcId"] << ": an invalid vector we cannot judge";
      Bytes out(size);
      EXPECT_DEATH(hkdf_sha256(hex_field(t, "salt"), hex_field(t, "ikm"), hex_field(t, "info"),
                               std::span<std::uint8_t>(out)),
                   "")
          << "tcId " << t["tcId"];
      ++checked;
    }
  }
  std::printf("wycheproof hkdf_sha256_test.json: %d invalid sizes abort\n", checked);
  EXPECT_GT(checked, 0);
}

TEST(Wycheproof, AesCbcPkcs5) {
  run_file("aes_cbc_pkcs5_test.json", [](const json&, const json& t) {
    Outcome o;
    const Bytes key = hex_field(t, "key"), iv = hex_field(t, "iv"), msg = hex_field(t, "msg"),
                ct = hex_field(t, "ct");
    auto dec = aes_cbc_decrypt(key, iv, ct);
    o.succeeded = dec.has_value();
    if (t["result"] == "valid") {
      auto enc = aes_cbc_encrypt(key, iv, msg);
      if (!enc)
        o.mismatch = "encrypt failed: " + std::string(errc_name(enc.error().code));
      else if (*enc != ct)
        o.mismatch = "ciphertext " + hex_of(*enc) + " != " + hex_of(ct);
      else if (dec && *dec != msg)
        o.mismatch = "decrypted " + hex_of(*dec) + " != " + hex_of(msg);
    } else if (!dec && dec.error().code != Errc::bad_padding &&
               dec.error().code != Errc::invalid_message) {
      o.mismatch = "rejected with " + std::string(errc_name(dec.error().code));
    }
    return o;
  });
}

TEST(Wycheproof, AesGcm) {
  run_file("aes_gcm_test.json", [](const json&, const json& t) {
    Outcome o;
    const Bytes key = hex_field(t, "key"), iv = hex_field(t, "iv"), aad = hex_field(t, "aad"),
                msg = hex_field(t, "msg"), ct = hex_field(t, "ct"), tag = hex_field(t, "tag");
    const Bytes sealed = concat({ct, tag});
    auto opened = aes_gcm_open(key, iv, aad, sealed);
    o.succeeded = opened.has_value();
    if (t["result"] == "valid") {
      auto enc = aes_gcm_seal(key, iv, aad, msg);
      if (!enc)
        o.mismatch = "seal failed: " + std::string(errc_name(enc.error().code));
      else if (*enc != sealed)
        o.mismatch = "sealed " + hex_of(*enc) + " != " + hex_of(sealed);
      else if (opened && *opened != msg)
        o.mismatch = "opened plaintext differs";
    } else if (iv.empty()) {
      // A zero-length nonce is a parameter error on both sides.
      auto enc = aes_gcm_seal(key, iv, aad, msg);
      if (enc) o.mismatch = "seal accepted an empty nonce";
    } else if (!opened && opened.error().code != Errc::invalid_mac) {
      o.mismatch = "rejected with " + std::string(errc_name(opened.error().code));
    }
    return o;
  });
}

// Ed25519 through our own verifier (detail::ed25519_verify, behind
// xeddsa_verify). Its policy is libsodium 1.0.18's, which is stricter than
// Wycheproof's "valid" in places (e.g. small-order keys); where libsodium
// disagrees with the expected result, the vector must give libsodium's answer
// instead, and such vectors are counted and printed. Signatures that are not
// 64 bytes long cannot be passed in and count as rejected.
TEST(Wycheproof, Ed25519) {
  const json doc = load("ed25519_test.json");
  ASSERT_TRUE(!doc.is_discarded() && doc.contains("testGroups")) << "ed25519_test.json missing";
  int ran = 0, valid = 0, invalid = 0, policy_differs = 0, mismatches = 0;
  std::string first_mismatch, policy_ids;
  for (const auto& group : doc["testGroups"]) {
    const Bytes pk = hex_field(group["publicKey"], "pk");
    ASSERT_EQ(pk.size(), 32u);
    const std::span<const std::uint8_t, 32> key(pk.data(), 32);
    for (const auto& test : group["tests"]) {
      ++ran;
      const std::string result = test["result"];
      const Bytes msg = hex_field(test, "msg");
      const Bytes sig = hex_field(test, "sig");
      bool ours = false, theirs = false;
      if (sig.size() == 64) {
        const std::span<const std::uint8_t, 64> s(sig.data(), 64);
        ours = detail::ed25519_verify(key, msg, s);
        theirs = detail::reference::ed25519_verify(key, msg, s);
      }
      const bool expected = result == "valid";
      (expected ? valid : invalid) += 1;
      ASSERT_NE(result, "acceptable") << "this file has no acceptable vectors";
      if (theirs != expected) {
        ++policy_differs;
        policy_ids += " " + std::to_string(test["tcId"].get<int>());
      }
      if (ours != theirs) {
        if (mismatches++ == 0) {
          first_mismatch = "tcId " + std::to_string(test["tcId"].get<int>()) + " (" +
                           test.value("comment", std::string()) + ", " + result + "): ours " +
                           (ours ? "accepts" : "rejects");
        }
      }
    }
  }
  std::printf(
      "wycheproof ed25519_test.json: ran %d vectors (%d valid, %d invalid), %d where "
      "libsodium's policy differs from the expected result (tcIds:%s), %d mismatches\n",
      ran, valid, invalid, policy_differs, policy_ids.c_str(), mismatches);
  EXPECT_EQ(ran, doc.value("numberOfTests", -1));
  EXPECT_EQ(mismatches, 0) << "first: " << first_mismatch;
}

}  // namespace
}  // namespace sotto::crypto
