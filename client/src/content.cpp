// SPDX-License-Identifier: Apache-2.0
#include "sotto/client/content.hpp"

#include <algorithm>

#include "proto/content.pb.h"

namespace sotto::client {

namespace {

constexpr std::uint8_t kPaddingMarker = 0x80;

}  // namespace

Result<crypto::SecretBytes> encode_content(const Content& content) {
  if (!content.data && !content.receipt) return fail(Errc::bad_request, "empty content");
  pb::Content message;
  if (!content.sender_username.empty()) message.set_sender_username(content.sender_username);
  if (content.data) {
    if (content.data->body.size() > kMaxBodySize) {
      return fail(Errc::bad_request, "message longer than " + std::to_string(kMaxBodySize) + " bytes");
    }
    auto* data = message.mutable_data();
    data->set_body(content.data->body);
    data->set_timestamp(content.data->timestamp);
  }
  if (content.receipt) {
    if (content.receipt->timestamps.size() > kMaxReceiptTimestamps) {
      return fail(Errc::bad_request, "too many timestamps in one receipt");
    }
    auto* receipt = message.mutable_receipt();
    receipt->set_type(content.receipt->type == ReceiptType::read ? pb::ReceiptMessage::READ
                                                                 : pb::ReceiptMessage::DELIVERY);
    for (auto t : content.receipt->timestamps) receipt->add_timestamps(t);
  }
  const std::size_t size = message.ByteSizeLong();
  const std::size_t padded = (size / kPaddingBlock + 1) * kPaddingBlock;
  crypto::SecretBytes out(padded);
  if (!message.SerializeToArray(out.mutable_bytes().data(), static_cast<int>(size))) {
    return fail(Errc::internal, "content serialization failed");
  }
  out.mutable_bytes()[size] = kPaddingMarker;  // the rest is already zero
  // The protobuf strings held the body; clear them before they are freed.
  if (message.has_data()) {
    auto* body = message.mutable_data()->mutable_body();
    std::fill(body->begin(), body->end(), '\0');
  }
  return out;
}

Result<Content> parse_content(ByteView padded) {
  // The last non-zero byte must be the marker.
  std::size_t end = padded.size();
  while (end > 0 && padded[end - 1] == 0) --end;
  if (end == 0 || padded[end - 1] != kPaddingMarker) {
    return fail(Errc::invalid_message, "bad content padding");
  }
  --end;
  pb::Content message;
  if (!message.ParseFromArray(padded.data(), static_cast<int>(end))) {
    return fail(Errc::invalid_message, "malformed content");
  }
  Content out;
  out.sender_username = message.sender_username();
  if (out.sender_username.size() > 64) return fail(Errc::invalid_message, "username too long");
  if (message.has_data()) {
    if (message.data().body().size() > kMaxBodySize) {
      return fail(Errc::invalid_message, "message body too long");
    }
    out.data = DataMessage{message.data().body(), message.data().timestamp()};
  }
  if (message.has_receipt()) {
    const auto& r = message.receipt();
    if (static_cast<std::size_t>(r.timestamps_size()) > kMaxReceiptTimestamps) {
      return fail(Errc::invalid_message, "receipt too long");
    }
    Receipt receipt;
    receipt.type = r.type() == pb::ReceiptMessage::READ ? ReceiptType::read : ReceiptType::delivery;
    receipt.timestamps.assign(r.timestamps().begin(), r.timestamps().end());
    out.receipt = std::move(receipt);
  }
  if (!out.data && !out.receipt) return fail(Errc::invalid_message, "content without a message");
  return out;
}

}  // namespace sotto::client
