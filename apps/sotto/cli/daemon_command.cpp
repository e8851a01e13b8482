// SPDX-License-Identifier: Apache-2.0
// sotto daemon [--socket PATH] [--tcp HOST:PORT]
#include <signal.h>

#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "daemon.hpp"
#include "sotto/core/host_port.hpp"

namespace sotto::cli {

void add_daemon_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  struct Args {
    std::string socket;
    std::string tcp;
    bool no_socket = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "daemon",
      "Stay connected and serve JSON-RPC 2.0 (one JSON object per line) for other programs.\n"
      "Methods: send {recipient, message}, subscribeReceive (then \"receive\" notifications),\n"
      "unsubscribeReceive {subscription}, listContacts, getSafetyNumber {username},\n"
      "verify {username[, scanned]}, trust {username}, markRead {ids}, whoami.");
  cmd->add_option("--socket", args->socket,
                  "Unix socket path (default: <data dir>/sotto.sock, mode 0600)");
  cmd->add_flag("--no-socket", args->no_socket, "Do not listen on a Unix socket");
  cmd->add_option("--tcp", args->tcp,
                  "Also listen on loopback TCP, HOST:PORT (127.0.0.0/8 or [::1]; port 0: any)");
  cmd->callback([args, &global, &exit_code] {
    auto dir = resolve_data_dir(global);
    if (!dir) {
      exit_code = report_error(dir.error());
      return;
    }
    rpc::RpcServerOptions options;
    if (!args->no_socket) {
      options.unix_path = args->socket.empty()
                              ? (std::filesystem::path(*dir) / "sotto.sock").string()
                              : args->socket;
    }
    if (!args->tcp.empty()) {
      auto address = parse_host_port(args->tcp);
      if (!address) {
        exit_code = report_error(Error{Errc::bad_request, "--tcp: " + address.error().message});
        return;
      }
      options.tcp = rpc::TcpListen{address->host, address->port};
    }
    auto c = open_client(global);
    if (!c) {
      exit_code = report_error(c.error());
      return;
    }
    // Block the stop signals before any thread starts so only sigwait sees them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    auto daemon = Daemon::start(std::move(*c), options);
    if (!daemon) {
      exit_code = report_error(daemon.error());
      return;
    }
    if (!options.unix_path.empty()) std::cout << "listening on unix:" << options.unix_path << "\n";
    if (auto port = (*daemon)->tcp_port()) {
      std::cout << "listening on tcp:" << options.tcp->address << ":" << *port << "\n";
    }
    std::cout << std::flush;
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    (*daemon)->stop();
  });
}

}  // namespace sotto::cli
