// SPDX-License-Identifier: Apache-2.0
#include "fake_connection.hpp"

namespace sotto::server::test {

Status FakeConnection::send(const wire::Frame& frame) {
  std::lock_guard lock(mu_);
  if (closed_) return fail(Errc::network_error, "closed");
  frames_.push_back(frame);
  return ok();
}

void FakeConnection::close(transport::CloseCode code, std::string_view) {
  std::lock_guard lock(mu_);
  if (!closed_) close_code_ = static_cast<std::uint16_t>(code);
  closed_ = true;
}

std::uint16_t FakeConnection::close_code() const {
  std::lock_guard lock(mu_);
  return close_code_;
}

std::vector<wire::Frame> FakeConnection::frames() const {
  std::lock_guard lock(mu_);
  return frames_;
}

std::vector<wire::Request> FakeConnection::requests(std::string_view op) const {
  std::lock_guard lock(mu_);
  std::vector<wire::Request> out;
  for (const auto& f : frames_) {
    if (const auto* r = std::get_if<wire::Request>(&f); r != nullptr && r->op == op)
      out.push_back(*r);
  }
  return out;
}

std::optional<wire::Response> FakeConnection::response(std::uint64_t id) const {
  std::lock_guard lock(mu_);
  for (const auto& f : frames_) {
    if (const auto* r = std::get_if<wire::Response>(&f); r != nullptr && r->id == id) return *r;
  }
  return std::nullopt;
}

bool FakeConnection::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

}  // namespace sotto::server::test
