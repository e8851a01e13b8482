// SPDX-License-Identifier: Apache-2.0
// An MQTT 3.1.1 client for the load generator (client_device.hpp), over
// plain TCP as the peer is measured.
//
//   connect: TCP (an MQTT server says nothing before CONNECT)
//   create:  none; accounts are the broker's password file
//   login:   CONNECT (client id and username = the device's name, keep-alive
//            off), CONNACK, SUBSCRIBE to u/<name>, SUBACK
//   send:    PUBLISH to u/<recipient> with the stamped body; QoS 0 is
//            answered 200 when sent, QoS 1 by its PUBACK
//   receive: PUBLISH on the own topic (QoS 1: PUBACK after the workload saw it)
//   close:   DISCONNECT, then the broker closes
//
// clean_session false keeps the broker's session (subscription and queued
// QoS 1 messages) while the client is away: W3's offline recipient.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "client_device.hpp"
#include "fleet.hpp"
#include "tcp_connection.hpp"

namespace sotto::bench {

class MqttDevice final : public Device, public TcpListener {
 public:
  MqttDevice(std::size_t index, std::string username, const ServerEndpoint& server);
  ~MqttDevice() override;

  void set_clean_session(bool clean) { clean_session_ = clean; }

  [[nodiscard]] bool connected() const override { return connection_ && connection_->is_open(); }
  [[nodiscard]] bool has_challenge() const override { return ready_; }
  [[nodiscard]] bool has_account() const override { return true; }
  [[nodiscard]] std::size_t outstanding_sends() const override { return in_flight_.size(); }
  [[nodiscard]] std::size_t queued_bytes() const override {
    return connection_ ? connection_->queued_bytes() : 0;
  }

  void connect(boost::asio::io_context& io, TlsClientContext& tls, const WsTarget& target) override;
  void create_account() override;
  void login() override;
  void send_message(const Device& to, std::uint64_t seq, const PayloadPool& pool) override;
  void close() override;

  // TcpListener
  void on_connected(const std::string& error) override;
  void on_data(ByteView data) override;
  void on_closed(const std::string& why) override;

 private:
  enum class State : std::uint8_t { idle, ready, connack, suback, online, closing };

  void send_packet(std::uint8_t header, const std::string& body);
  // One complete packet: fixed header byte and its body.
  void on_packet(std::uint8_t header, std::string_view body);
  void on_publish(std::uint8_t header, std::string_view body);
  void protocol_error(const std::string& what);

  const ServerEndpoint& server_;
  std::unique_ptr<TcpConnection> connection_;
  std::string topic_;  // u/<name>
  std::string in_;     // bytes of an incomplete packet
  State state_ = State::idle;
  bool ready_ = false;
  bool clean_session_ = true;
  std::unordered_map<std::uint16_t, std::uint64_t> in_flight_;  // packet id -> tag
  std::uint16_t next_packet_id_ = 1;
};

}  // namespace sotto::bench
