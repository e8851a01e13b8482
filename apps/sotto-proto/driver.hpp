// SPDX-License-Identifier: Apache-2.0
// The sotto-proto driver contract (docs/proto-driver.md): one JSON request in,
// one JSON response out, all state in memory keyed by party name.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "json_fields.hpp"
#include "party.hpp"

namespace sotto::proto_driver {

class Driver {
 public:
  // Never throws: every failure becomes {"ok": false, "error": {...}}.
  Json handle(const Json& request);

 private:
  using Reply = Result<Json>;
  Reply dispatch(const std::string& op, const Json& request);
  Result<Party*> party(const Json& request);

  Reply party_new(const Json& request);
  Reply prekeys_generate(const Json& request);
  Reply session_from_bundle(const Json& request);
  Reply session_info(const Json& request);
  Reply encrypt(const Json& request);
  Reply decrypt(const Json& request);
  Reply identity_get(const Json& request);
  Reply identity_trust(const Json& request);
  Reply group_distribution(const Json& request);
  Reply group_process(const Json& request);
  Reply group_encrypt(const Json& request);
  Reply group_decrypt(const Json& request);
  Reply fingerprint(const Json& request);
  Reply fingerprint_compare(const Json& request);

  std::map<std::string, std::unique_ptr<Party>> parties_;
};

// The contract's error code for a library error (finer codes folded in).
std::string_view contract_error_code(Errc code);

}  // namespace sotto::proto_driver
