// SPDX-License-Identifier: Apache-2.0
// SQLite store throughput (not a test; ctest never runs it):
//  1. store: P producer threads enqueue E-byte envelopes to random devices,
//     each keeping up to W enqueues in flight (like W connections awaiting
//     their durable 200); group commit turns them into few transactions.
//  2. drain: D threads fetch each device's queue in pages and ack every
//     envelope (acks are asynchronous too, as the server sends them).
// Usage: sotto_storage_bench [--messages N] [--producers P] [--inflight W]
//        [--devices K] [--size E] [--drainers D] [--dir PATH]
// The database lives in a fresh directory under --dir (default: the system
// temp dir), removed at the end. Durability is the real one: synchronous=FULL.
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "sotto/storage/sqlite/sqlite_storage.hpp"

namespace {

using namespace sotto;
using namespace sotto::storage;
using Clock = std::chrono::steady_clock;

struct Config {
  std::uint64_t messages = 200'000;
  int producers = 8;
  int inflight = 64;
  std::uint32_t devices = 1'000;  // accounts of one device each
  std::size_t size = 200;
  int drainers = 2;
  bool ordered_guids = false;
  bool ack_batch = false;
  std::string dir = std::filesystem::temp_directory_path().string();
};

Config parse(int argc, char** argv) {
  Config c;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--messages") c.messages = std::stoull(v);
    else if (k == "--producers") c.producers = std::stoi(v);
    else if (k == "--inflight") c.inflight = std::stoi(v);
    else if (k == "--devices") c.devices = static_cast<std::uint32_t>(std::stoul(v));
    else if (k == "--size") c.size = std::stoull(v);
    else if (k == "--drainers") c.drainers = std::stoi(v);
    else if (k == "--dir") c.dir = v;
    else if (k == "--guids") c.ordered_guids = (v == "ordered");
    else if (k == "--acks") c.ack_batch = (v == "page");
    else std::fprintf(stderr, "unknown option %s\n", k.c_str()), std::exit(2);
  }
  return c;
}

AccountId account_of(std::uint32_t n) {
  AccountId id{};
  std::memcpy(id.data(), &n, sizeof n);
  return id;
}

// A counting window: at most `limit` operations outstanding.
class Window {
 public:
  explicit Window(int limit) : free_(limit) {}
  void acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return free_ > 0; });
    --free_;
  }
  void release() {
    {
      std::lock_guard lock(mu_);
      ++free_;
    }
    cv_.notify_all();
  }
  void wait_all(int limit) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return free_ == limit; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int free_;
};

// CPU seconds (user + system) of the whole process so far: steadier than
// wall time on a shared machine.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

struct ThreadCpu {
  double user = 0, system = 0;
  double total() const { return user + system; }
  ThreadCpu operator-(const ThreadCpu& o) const { return {user - o.user, system - o.system}; }
};

// CPU seconds of this process's threads named `name` (Linux /proc).
ThreadCpu thread_cpu(const std::string& name) {
  ThreadCpu total;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::FILE* f = std::fopen((task.path() / "stat").c_str(), "r");
    if (f == nullptr) continue;
    char buf[1024] = {};
    std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    std::string stat(buf, n);
    auto open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    if (stat.substr(open + 1, close - open - 1) != name) continue;
    // Fields after the name: state is field 3; utime and stime are 14 and 15.
    unsigned long long utime = 0, stime = 0;
    std::sscanf(stat.c_str() + close + 2,
                "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime);
    const auto tick = static_cast<double>(sysconf(_SC_CLK_TCK));
    total.user += static_cast<double>(utime) / tick;
    total.system += static_cast<double>(stime) / tick;
  }
  return total;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  Config cfg = parse(argc, argv);
  std::string pattern = (std::filesystem::path(cfg.dir) / "sotto-storage-bench-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return std::perror("mkdtemp"), 1;
  const std::filesystem::path dir = pattern;

  int rc = 0;
  {
    sqlite::Options options;
    options.path = (dir / "server.db").string();
    auto opened = sqlite::SqliteStorage::open(options);
    if (!opened) return std::fprintf(stderr, "open: %s\n", opened.error().message.c_str()), 1;
    auto& store = **opened;

    for (std::uint32_t d = 0; d < cfg.devices; ++d) {
      AccountId a = account_of(d);
      if (!store.accounts().create_account({a, "user" + std::to_string(d), Bytes(33, 1), 0}) ||
          !store.devices().add_device({a, 1, Bytes(kDeviceKeySize, 2), 1, 0, 0})) {
        return std::fprintf(stderr, "setup failed\n"), 1;
      }
    }

    // ---- store ------------------------------------------------------------------
    std::atomic<std::uint64_t> next{0}, stored{0}, failed{0};
    const std::uint64_t commits0 = store.commit_count();
    auto t0 = Clock::now();
    double cpu0 = cpu_seconds();
    ThreadCpu writer0 = thread_cpu("sotto-db-write");
    ThreadCpu ckpt0 = thread_cpu("sotto-db-ckpt");
    std::vector<std::thread> producers;
    for (int p = 0; p < cfg.producers; ++p) {
      producers.emplace_back([&, p] {
        std::mt19937 rng(static_cast<unsigned>(p) + 1);
        Window window(cfg.inflight);
        for (;;) {
          std::uint64_t n = next.fetch_add(1);
          if (n >= cfg.messages) break;
          NewEnvelope env;
          env.account = account_of(static_cast<std::uint32_t>(rng() % cfg.devices));
          env.device = 1;
          if (cfg.ordered_guids) {
            // Time-ordered (UUIDv7-like): big-endian counter first, so guid
            // index inserts land on the rightmost page.
            for (int b = 0; b < 8; ++b) env.guid[b] = static_cast<std::uint8_t>(n >> (56 - 8 * b));
            std::uint32_t r = static_cast<std::uint32_t>(rng());
            std::memcpy(env.guid.data() + 8, &r, sizeof r);
          } else {
            for (auto& b : env.guid) b = static_cast<std::uint8_t>(rng());  // random (UUIDv4-like)
          }
          env.sender = Bytes(17, 3);
          env.envelope = Bytes(cfg.size, static_cast<std::uint8_t>(n));
          env.expires_ms = 30 * kDayMs;
          window.acquire();
          store.mailbox().enqueue_async({std::move(env)}, [&](Result<EnqueueResults> r) {
            (r && r->at(0) ? stored : failed).fetch_add(1);
            window.release();
          });
        }
        window.wait_all(cfg.inflight);
      });
    }
    for (auto& t : producers) t.join();
    double store_s = seconds_since(t0);
    double store_cpu = cpu_seconds() - cpu0;
    ThreadCpu store_writer = thread_cpu("sotto-db-write") - writer0;
    double store_ckpt = (thread_cpu("sotto-db-ckpt") - ckpt0).total();
    std::uint64_t commits = store.commit_count() - commits0;
    std::printf("store: %llu envelopes of %zu B, %d producers x %d in flight, %u devices\n",
                static_cast<unsigned long long>(stored.load()), cfg.size, cfg.producers,
                cfg.inflight, cfg.devices);
    std::printf("store: %.2f s, %.0f msgs/s durable, %llu commits (%.1f msgs/commit), %.1f us CPU/msg\n",
                store_s, stored.load() / store_s, static_cast<unsigned long long>(commits),
                commits ? static_cast<double>(stored.load()) / commits : 0.0,
                store_cpu * 1e6 / static_cast<double>(stored.load()));
    std::printf(
        "store: writer thread %.1f us CPU/msg (%.1f user, %.1f kernel; busy %.0f%%), "
        "checkpointer busy %.0f%%\n",
        store_writer.total() * 1e6 / static_cast<double>(stored.load()),
        store_writer.user * 1e6 / static_cast<double>(stored.load()),
        store_writer.system * 1e6 / static_cast<double>(stored.load()),
        100 * store_writer.total() / store_s, 100 * store_ckpt / store_s);
    if (failed.load() != 0) {
      std::printf("store: %llu FAILED\n", static_cast<unsigned long long>(failed.load()));
      rc = 1;
    }

    // ---- drain ------------------------------------------------------------------
    std::atomic<std::uint64_t> drained{0}, ack_failed{0};
    std::atomic<std::uint32_t> next_device{0};
    const std::uint64_t commits1 = store.commit_count();
    t0 = Clock::now();
    cpu0 = cpu_seconds();
    writer0 = thread_cpu("sotto-db-write");
    std::vector<std::thread> drainers;
    for (int w = 0; w < cfg.drainers; ++w) {
      drainers.emplace_back([&] {
        Window window(1024);
        for (;;) {
          std::uint32_t d = next_device.fetch_add(1);
          if (d >= cfg.devices) break;
          AccountId a = account_of(d);
          std::uint64_t after = 0;
          for (;;) {
            auto page = store.mailbox().fetch(a, 1, after, 500);
            if (!page || page->empty()) break;
            after = page->back().seq;
            if (cfg.ack_batch) {  // one ack job per fetched page
              std::vector<Guid> guids;
              for (const auto& env : *page) guids.push_back(env.guid);
              window.acquire();
              store.mailbox().ack_many_async(a, 1, std::move(guids), [&](Result<AckResults> r) {
                if (r) {
                  for (const auto& s : *r) (s ? drained : ack_failed).fetch_add(1);
                } else {
                  ack_failed.fetch_add(1);
                }
                window.release();
              });
              continue;
            }
            for (const auto& env : *page) {  // one ack job per envelope
              window.acquire();
              store.mailbox().ack_async(a, 1, env.guid, [&](Status s) {
                (s ? drained : ack_failed).fetch_add(1);
                window.release();
              });
            }
          }
        }
        window.wait_all(1024);
      });
    }
    for (auto& t : drainers) t.join();
    double drain_s = seconds_since(t0);
    double drain_cpu = cpu_seconds() - cpu0;
    ThreadCpu drain_writer = thread_cpu("sotto-db-write") - writer0;
    commits = store.commit_count() - commits1;
    std::printf("drain: %llu envelopes fetched+acked by %d threads\n",
                static_cast<unsigned long long>(drained.load()), cfg.drainers);
    std::printf("drain: %.2f s, %.0f msgs/s, %llu commits (%.1f acks/commit), %.1f us CPU/msg\n",
                drain_s, drained.load() / drain_s, static_cast<unsigned long long>(commits),
                commits ? static_cast<double>(drained.load()) / commits : 0.0,
                drain_cpu * 1e6 / static_cast<double>(drained.load()));
    std::printf("drain: writer thread %.1f us CPU/msg (%.1f user, %.1f kernel; busy %.0f%%)\n",
                drain_writer.total() * 1e6 / static_cast<double>(drained.load()),
                drain_writer.user * 1e6 / static_cast<double>(drained.load()),
                drain_writer.system * 1e6 / static_cast<double>(drained.load()),
                100 * drain_writer.total() / drain_s);
    if (ack_failed.load() != 0 || drained.load() != stored.load()) {
      std::printf("drain: %llu acks FAILED\n", static_cast<unsigned long long>(ack_failed.load()));
      rc = 1;
    }
  }
  std::filesystem::remove_all(dir);
  return rc;
}
