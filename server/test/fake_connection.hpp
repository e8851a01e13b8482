// SPDX-License-Identifier: Apache-2.0
// A transport::Connection without a socket: frames the service sends are
// recorded for the test to inspect.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sotto/transport/connection.hpp"

namespace sotto::server::test {

class FakeConnection final : public transport::Connection {
 public:
  explicit FakeConnection(std::uint64_t id)
      : id_(id), endpoint_("127.0.0.1:" + std::to_string(id)) {}

  Status send(const wire::Frame& frame) override;
  void close(transport::CloseCode code, std::string_view reason) override;
  [[nodiscard]] std::uint64_t id() const noexcept override { return id_; }
  [[nodiscard]] const std::string& remote_endpoint() const noexcept override { return endpoint_; }

  // Everything sent so far, in order.
  std::vector<wire::Frame> frames() const;
  // Requests the server sent with this op, in order.
  std::vector<wire::Request> requests(std::string_view op) const;
  // The response to request `id`, if one was sent.
  std::optional<wire::Response> response(std::uint64_t id) const;
  bool closed() const;
  // The code of the first close() (0 while open).
  std::uint16_t close_code() const;

 private:
  const std::uint64_t id_;
  const std::string endpoint_;
  mutable std::mutex mu_;
  std::vector<wire::Frame> frames_;
  bool closed_ = false;
  std::uint16_t close_code_ = 0;
};

}  // namespace sotto::server::test
