// SPDX-License-Identifier: Apache-2.0
// Measures what an idle TLS WebSocket connection costs the server: forks a
// server process, opens N connections to it from this one (a shared
// ClientLoop), and reads the server's RSS and malloc'd bytes before and after.
//   sotto_transport_idle_memory [connections=2000] [io_threads=2]
// Not a test: the figure feeds the per-connection memory work.
#include <malloc.h>
#include <openssl/crypto.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "sotto/transport/client.hpp"
#include "sotto/transport/server.hpp"

namespace {

using namespace sotto::transport;
using namespace std::chrono_literals;

struct Stats {
  long connections = 0;
  long rss_bytes = 0;
  long heap_bytes = 0;
  long openssl_bytes = -1;  // -1: not counted
};

// OpenSSL's share of the heap: its allocations go through these (each with
// a 16-byte size header), counted if OpenSSL let us install them.
std::atomic<long> g_openssl_bytes{0};
bool g_openssl_counted = false;

void* counting_malloc(std::size_t n, const char*, int) {
  auto* p = static_cast<std::size_t*>(std::malloc(n + 16));
  if (p == nullptr) return nullptr;
  *p = n;
  g_openssl_bytes += static_cast<long>(n);
  return reinterpret_cast<char*>(p) + 16;
}
void counting_free(void* q, const char*, int) {
  if (q == nullptr) return;
  auto* p = reinterpret_cast<std::size_t*>(static_cast<char*>(q) - 16);
  g_openssl_bytes -= static_cast<long>(*p);
  std::free(p);
}
void* counting_realloc(void* q, std::size_t n, const char* file, int line) {
  if (q == nullptr) return counting_malloc(n, file, line);
  if (n == 0) {
    counting_free(q, file, line);
    return nullptr;
  }
  auto* p = reinterpret_cast<std::size_t*>(static_cast<char*>(q) - 16);
  const long old = static_cast<long>(*p);
  auto* r = static_cast<std::size_t*>(std::realloc(p, n + 16));
  if (r == nullptr) return nullptr;
  *r = n;
  g_openssl_bytes += static_cast<long>(n) - old;
  return reinterpret_cast<char*>(r) + 16;
}

Stats own_stats(const WebSocketServer& server) {
  Stats s;
  s.connections = static_cast<long>(server.connection_count());
  long pages = 0;
  long resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  s.rss_bytes = resident * sysconf(_SC_PAGESIZE);
  const struct mallinfo2 info = mallinfo2();
  s.heap_bytes = static_cast<long>(info.uordblks + info.hblkhd);
  if (g_openssl_counted) s.openssl_bytes = g_openssl_bytes.load();
  return s;
}

class Silent : public ServerHandler {
 public:
  void on_open(const ConnectionPtr&) override {}
  void on_frame(const ConnectionPtr&, sotto::wire::Frame) override {}
  void on_close(const ConnectionPtr&) override {}
};

[[noreturn]] void run_server(int commands, int replies, unsigned io_threads) {
  const auto folder =
      std::filesystem::temp_directory_path() / ("sotto-idle-memory-" + std::to_string(::getpid()));
  auto identity = load_or_create_server_identity(folder);
  if (!identity) std::_Exit(1);
  Silent handler;
  ServerOptions options;
  options.io_threads = io_threads;
  options.idle_timeout = std::chrono::hours(1);
  options.max_connections_per_ip = 0;  // every client comes from 127.0.0.1
  auto server = WebSocketServer::start(options, *identity, handler);
  if (!server) std::_Exit(1);
  std::string hello = std::to_string((*server)->port()) + " " + identity->pin + "\n";
  if (::write(replies, hello.data(), hello.size()) < 0) std::_Exit(1);
  char command = 0;
  while (::read(commands, &command, 1) == 1 && command == 'm') {
    const Stats s = own_stats(**server);
    char line[128];
    const int n = std::snprintf(line, sizeof line, "%ld %ld %ld %ld\n", s.connections, s.rss_bytes,
                                s.heap_bytes, s.openssl_bytes);
    if (::write(replies, line, static_cast<std::size_t>(n)) < 0) break;
  }
  (*server)->stop();
  std::filesystem::remove_all(folder);
  std::_Exit(0);
}

Stats ask(int commands, FILE* replies) {
  Stats s;
  if (::write(commands, "m", 1) != 1 ||
      std::fscanf(replies, "%ld %ld %ld %ld", &s.connections, &s.rss_bytes, &s.heap_bytes,
                  &s.openssl_bytes) != 4) {
    std::fprintf(stderr, "server process gone\n");
    std::exit(1);
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  // Before OpenSSL allocates anything, or it refuses.
  g_openssl_counted =
      CRYPTO_set_mem_functions(counting_malloc, counting_realloc, counting_free) == 1;
  const long n = argc > 1 ? std::atol(argv[1]) : 2000;
  const unsigned io_threads = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : 2;
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);

  int to_server[2];
  int from_server[2];
  if (::pipe(to_server) != 0 || ::pipe(from_server) != 0) return 1;
  const pid_t pid = ::fork();  // before any thread exists
  if (pid == 0) {
    // Only our ends stay open, so each side sees EOF when the other goes.
    ::close(to_server[1]);
    ::close(from_server[0]);
    run_server(to_server[0], from_server[1], io_threads);
  }
  ::close(to_server[0]);
  ::close(from_server[1]);
  FILE* replies = ::fdopen(from_server[0], "r");
  unsigned port = 0;
  char pin_hex[65] = {};
  if (std::fscanf(replies, "%u %64s", &port, pin_hex) != 2) return 1;

  const Stats before = ask(to_server[1], replies);
  auto loop = ClientLoop::create();
  auto pin = parse_pin(pin_hex);
  if (!loop || !pin) return 1;
  ClientOptions options;
  options.port = static_cast<std::uint16_t>(port);
  options.pin = *pin;
  std::vector<std::unique_ptr<WebSocketClient>> clients;
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < n; ++i) {
    auto client = WebSocketClient::connect(options, *loop);
    if (!client) {
      std::fprintf(stderr, "connection %ld: %s\n", i, client.error().message.c_str());
      break;
    }
    clients.push_back(std::move(*client));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::this_thread::sleep_for(1s);  // let the server settle (handshakes done, buffers released)
  const Stats open = ask(to_server[1], replies);
  clients.clear();
  std::this_thread::sleep_for(1s);
  const Stats after = ask(to_server[1], replies);

  const double count = static_cast<double>(open.connections - before.connections);
  std::printf("connections: %ld (opened in %.1f s, %.2f ms each)\n", open.connections, seconds,
              seconds * 1000 / static_cast<double>(n));
  std::printf("server RSS: %.1f MiB -> %.1f MiB: %.0f bytes per idle connection\n",
              static_cast<double>(before.rss_bytes) / (1 << 20),
              static_cast<double>(open.rss_bytes) / (1 << 20),
              static_cast<double>(open.rss_bytes - before.rss_bytes) / count);
  std::printf("server heap in use: %.0f bytes per idle connection\n",
              static_cast<double>(open.heap_bytes - before.heap_bytes) / count);
  if (open.openssl_bytes >= 0) {
    std::printf("  of which OpenSSL: %.0f bytes per idle connection\n",
                static_cast<double>(open.openssl_bytes - before.openssl_bytes) / count);
  }
  std::printf("after closing all: %ld connections, RSS %.1f MiB, heap %.1f MiB\n",
              after.connections, static_cast<double>(after.rss_bytes) / (1 << 20),
              static_cast<double>(after.heap_bytes) / (1 << 20));
  std::fflush(stdout);
  ::close(to_server[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return 0;
}
