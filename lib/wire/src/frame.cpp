// SPDX-License-Identifier: Apache-2.0
// Frame{oneof request = 1, response = 2} (lib/wire/proto/service.proto).
#include "sotto/wire/frame.hpp"

#include "proto/service.pb.h"

namespace sotto::wire {

namespace {

constexpr std::uint32_t kMinStatus = 100;
constexpr std::uint32_t kMaxStatus = 599;

void to_pb(const Request& request, pb::Request& pb) {
  pb.set_id(request.id);
  pb.set_op(request.op);
  if (!request.body.empty()) pb.set_body(request.body.data(), request.body.size());
}

void to_pb(const Response& response, pb::Response& pb) {
  pb.set_id(response.id);
  pb.set_status(response.status);
  if (!response.message.empty()) pb.set_message(response.message);
  if (!response.body.empty()) pb.set_body(response.body.data(), response.body.size());
}

Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

Result<Frame> from_pb(const pb::Request& pb) {
  if (!pb.has_id() || !pb.has_op()) return fail(Errc::invalid_message, "Request: missing id or op");
  // The op is used as a dispatch key and appears in logs: a strict alphabet
  // keeps control characters and look-alikes out of both.
  if (!valid_op(pb.op())) return fail(Errc::invalid_message, "Request: malformed op");
  return Request{pb.id(), pb.op(), bytes_of(pb.body())};
}

Result<Frame> from_pb(const pb::Response& pb) {
  if (!pb.has_id() || !pb.has_status()) {
    return fail(Errc::invalid_message, "Response: missing id or status");
  }
  if (pb.status() < kMinStatus || pb.status() > kMaxStatus) {
    return fail(Errc::invalid_message, "Response: status out of range");
  }
  return Response{pb.id(), pb.status(), pb.message(), bytes_of(pb.body())};
}

}  // namespace

bool valid_op(std::string_view op) noexcept {
  if (op.empty() || op.size() > kMaxOpSize) return false;
  for (char c : op) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Bytes encode_frame(const Frame& frame) {
  pb::Frame pb;
  if (const auto* request = std::get_if<Request>(&frame)) {
    to_pb(*request, *pb.mutable_request());
  } else {
    to_pb(std::get<Response>(frame), *pb.mutable_response());
  }
  const std::size_t size = pb.ByteSizeLong();
  Bytes out(size);
  pb.SerializeWithCachedSizesToArray(out.data());
  return out;
}

Result<Frame> parse_frame(ByteView serialized) {
  // The bound comes first: it caps the work and the allocations protobuf
  // makes for one hostile frame (and keeps the int cast below exact).
  if (serialized.size() > kMaxFrameSize) return fail(Errc::invalid_message, "Frame: too large");
  pb::Frame pb;
  if (!pb.ParseFromArray(serialized.data(), static_cast<int>(serialized.size()))) {
    return fail(Errc::invalid_message, "Frame: malformed protobuf");
  }
  switch (pb.kind_case()) {
    case pb::Frame::kRequest:
      return from_pb(pb.request());
    case pb::Frame::kResponse:
      return from_pb(pb.response());
    case pb::Frame::KIND_NOT_SET:
      break;
  }
  return fail(Errc::invalid_message, "Frame: neither request nor response");
}

}  // namespace sotto::wire
