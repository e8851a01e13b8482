// SPDX-License-Identifier: Apache-2.0
// The JSON-lines driver of the libsignal-protocol-c peer (sotto-proto-c): one
// request in, one response out, parties kept in memory by name.
// Contract: proto-driver.md. v3 only; sealed sender and certificates are not
// in the C library and answer bad_request.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "party.hpp"
#include "request.hpp"
#include "signal_c_provider.hpp"
#include "sotto/core/result.hpp"

namespace sotto::peer_c {

class Driver {
 public:
  Driver();

  // Answers one (non-blank) input line. Never throws; a bad line gets a
  // bad_request response and leaves every party as it was.
  Json handle_line(std::string_view line);

  // The party named by the request's "party" field (bad_request if unknown).
  Result<Party*> party(const Json& request);
  // Adds or replaces (re-installs) a party.
  void set_party(const std::string& name, std::unique_ptr<Party> party);
  // A context for operations that belong to no party (fingerprint.compare).
  Context& shared_context() { return *shared_; }

 private:
  Result<Json> dispatch(const std::string& op, const Json& request);

  std::map<std::string, std::unique_ptr<Party>> parties_;
  std::unique_ptr<Context> shared_;
};

}  // namespace sotto::peer_c
