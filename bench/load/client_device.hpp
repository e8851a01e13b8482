// SPDX-License-Identifier: Apache-2.0
// One simulated client, whatever protocol it speaks: the interface the fleet
// (setup phases) and the workloads drive. The implementations are SottoDevice
// (device.hpp: TLS WebSockets, Sotto's wire), XmppDevice (xmpp_connection.hpp)
// and MqttDevice (mqtt_connection.hpp). Every call and event happens on the
// Loop's thread.
//
// The setup phases map onto each protocol as: connect (up to the point where
// the server is ready for a login: Sotto's auth.challenge, XMPP's stream
// features, MQTT's TCP connect), create (Sotto account.create, XMPP in-band
// registration; MQTT accounts come from the broker's password file), login
// (Sotto auth.login; XMPP SASL PLAIN, bind and presence; MQTT CONNECT and
// SUBSCRIBE to the client's own topic).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace boost::asio {
class io_context;
}

namespace sotto::bench {

class Device;
class PayloadPool;
class TlsClientContext;
struct WsTarget;

// What a device reports to whoever drives it (the setup phases, then a
// workload).
class DeviceEvents {
 public:
  virtual ~DeviceEvents() = default;
  virtual void on_connected(Device& device, const std::string& error) = 0;
  // The server is ready for login() (Sotto: an auth.challenge arrived).
  virtual void on_challenge(Device&) {}
  virtual void on_created(Device& device, std::uint32_t status, const std::string& message) = 0;
  virtual void on_logged_in(Device& device, std::uint32_t status, const std::string& message) = 0;
  // The server's answer to a message sent with `tag` (200: accepted). Sotto
  // answers every message.send; an MQTT QoS 1 PUBLISH is answered by its
  // PUBACK; where the protocol has no answer (MQTT QoS 0, XMPP without a
  // barrier) the device reports 200 from inside send_message().
  virtual void on_send_answer(Device&, std::uint64_t /*tag*/, std::uint32_t /*status*/) {}
  // A message arrived, with the stamp the sender embedded in it; the device
  // acknowledges it (where the protocol does) when this returns.
  virtual void on_deliver(Device&, std::uint64_t /*seq*/, std::uint64_t /*send_ns*/) {}
  // Sotto's queue.empty: everything stored was delivered and acked.
  virtual void on_queue_empty(Device&) {}
  virtual void on_closed(Device& device, const std::string& why) = 0;
  // The server sent something this client cannot make sense of.
  virtual void on_protocol_error(Device& device, const std::string& what) = 0;
};

class Device {
 public:
  Device(std::size_t index, std::string username) : index_(index), username_(std::move(username)) {}
  virtual ~Device() = default;
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  [[nodiscard]] std::size_t index() const { return index_; }
  [[nodiscard]] const std::string& username() const { return username_; }
  [[nodiscard]] bool online() const { return online_; }
  void set_events(DeviceEvents* events) { events_ = events; }

  [[nodiscard]] virtual bool connected() const = 0;
  // Ready for login() (has_challenge: the name comes from Sotto's protocol).
  [[nodiscard]] virtual bool has_challenge() const = 0;
  // Whether the account exists (the create phase skips those that do).
  [[nodiscard]] virtual bool has_account() const = 0;
  // Sends not answered yet (W1 skips busy senders, W3 keeps a window).
  [[nodiscard]] virtual std::size_t outstanding_sends() const = 0;
  // Bytes queued and not yet written (back-pressure).
  [[nodiscard]] virtual std::size_t queued_bytes() const = 0;
  // Whether the server signals an emptied offline queue (on_queue_empty).
  [[nodiscard]] virtual bool signals_queue_empty() const { return false; }

  // Opens a new connection (a previous one is dropped). `tls` is used by
  // Sotto only; peers speak plain TCP.
  virtual void connect(boost::asio::io_context& io, TlsClientContext& tls,
                       const WsTarget& target) = 0;
  virtual void create_account() = 0;
  // Needs has_challenge(); on_logged_in follows.
  virtual void login() = 0;
  // One message to `to`, stamped with `seq` and the send time; `seq` is the
  // tag of its on_send_answer.
  virtual void send_message(const Device& to, std::uint64_t seq, const PayloadPool& pool) = 0;
  // Asks for the answers of everything sent so far now (XMPP's barrier);
  // a no-op where every send is answered on its own.
  virtual void flush_sends() {}
  // A clean goodbye (the server marks the client offline); on_closed follows.
  virtual void close() = 0;

 protected:
  std::size_t index_;
  std::string username_;
  DeviceEvents* events_ = nullptr;
  bool online_ = false;
};

}  // namespace sotto::bench
