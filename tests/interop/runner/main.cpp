// SPDX-License-Identifier: Apache-2.0
// sotto-interop: runs the driver-contract scenarios between two drivers.
//
//   sotto-interop --a <driver> --b <driver> --scenario <name|all>
//                 [--seed N] [--version 3|4] [--timeout SECONDS] [--list]
//
// Driver A hosts "alice" (and the other parties a scenario puts on its side),
// driver B hosts "bob". Exit status: 0 all passed, 1 a scenario failed (the
// first mismatch is printed in words), 2 usage error, 77 the one selected
// scenario does not apply to --version (ctest SKIP_RETURN_CODE).
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "driver_process.hpp"
#include "harness.hpp"
#include "scenarios.hpp"

namespace {

using sotto::interop::DriverProcess;
using sotto::interop::Scenario;

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitSkipped = 77;

struct Options {
  std::string a;
  std::string b;
  std::string scenario;
  std::uint64_t seed = 1;
  int version = 3;
  int timeout_s = 30;
  bool list = false;
};

void usage() {
  std::fprintf(stderr,
               "usage: sotto-interop --a <driver> --b <driver> --scenario <name|all>\n"
               "                     [--seed N] [--version 3|4] [--timeout SECONDS] [--list]\n");
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    std::string v;
    if (arg == "--list") {
      o.list = true;
    } else if (arg == "--a") {
      if (!value(o.a)) return false;
    } else if (arg == "--b") {
      if (!value(o.b)) return false;
    } else if (arg == "--scenario") {
      if (!value(o.scenario)) return false;
    } else if (arg == "--seed") {
      if (!value(v)) return false;
      o.seed = std::strtoull(v.c_str(), nullptr, 10);
    } else if (arg == "--version") {
      if (!value(v)) return false;
      o.version = std::atoi(v.c_str());
    } else if (arg == "--timeout") {
      if (!value(v)) return false;
      o.timeout_s = std::atoi(v.c_str());
    } else {
      std::fprintf(stderr, "sotto-interop: unknown argument %s\n", arg.c_str());
      return false;
    }
  }
  return o.list || (!o.a.empty() && !o.b.empty() && !o.scenario.empty() && o.timeout_s > 0);
}

// Runs one scenario with fresh driver processes; prints the verdict.
bool run_one(const Scenario& s, const Options& o, const sotto::interop::VersionProfile& profile) {
  const auto started = std::chrono::steady_clock::now();
  DriverProcess a;
  DriverProcess b;
  a.set_timeout(std::chrono::seconds(o.timeout_s));
  b.set_timeout(std::chrono::seconds(o.timeout_s));
  sotto::Status status = a.start({o.a}, "A (" + o.a + ")");
  if (status) status = b.start({o.b}, "B (" + o.b + ")");
  sotto::interop::Harness h(std::string(s.name), profile, o.seed, a, b);
  if (status) status = s.run(h);
  // Both drivers must exit 0 at end of input, also after a failure elsewhere.
  auto stop_a = a.stop();
  auto stop_b = b.stop();
  if (status && !stop_a) status = stop_a;
  if (status && !stop_b) status = stop_b;

  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (status) {
    std::printf("PASS %s (v%d, seed %llu): %zu requests, %.2f s\n", std::string(s.name).c_str(),
                profile.version, static_cast<unsigned long long>(o.seed), h.calls(), secs);
  } else {
    std::printf(
        "FAIL %s (v%d, seed %llu) after %zu requests\n  %s\n"
        "  reproduce: sotto-interop --a %s --b %s --scenario %s --seed %llu --version %d\n",
        std::string(s.name).c_str(), profile.version, static_cast<unsigned long long>(o.seed),
        h.calls(), status.error().message.c_str(), o.a.c_str(), o.b.c_str(),
        std::string(s.name).c_str(), static_cast<unsigned long long>(o.seed), profile.version);
  }
  std::fflush(stdout);
  return static_cast<bool>(status);
}

int run(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    usage();
    return kExitUsage;
  }
  if (o.list) {
    for (const auto& s : sotto::interop::all_scenarios()) {
      std::printf("%-24s v%d-v%d  %s\n", std::string(s.name).c_str(), s.min_version, s.max_version,
                  std::string(s.summary).c_str());
    }
    return 0;
  }
  const auto* profile = sotto::interop::profile_for(o.version);
  if (profile == nullptr) {
    std::fprintf(stderr, "sotto-interop: unknown protocol version %d\n", o.version);
    return kExitUsage;
  }
  // A driver that dies mid-write must surface as EPIPE, not kill the runner.
  ::signal(SIGPIPE, SIG_IGN);

  std::printf("sotto-interop: A=%s (alice's side), B=%s (bob's side)\n", o.a.c_str(), o.b.c_str());
  bool matched = false;
  int ran = 0;
  int failed = 0;
  for (const auto& s : sotto::interop::all_scenarios()) {
    if (o.scenario != "all" && o.scenario != s.name) continue;
    matched = true;
    if (o.version < s.min_version || o.version > s.max_version) {
      std::printf("SKIP %s (applies to v%d-v%d)\n", std::string(s.name).c_str(), s.min_version,
                  s.max_version);
      continue;
    }
    ++ran;
    if (!run_one(s, o, *profile)) ++failed;
  }
  if (!matched) {
    std::fprintf(stderr, "sotto-interop: no scenario named %s (see --list)\n", o.scenario.c_str());
    return kExitUsage;
  }
  if (ran == 0) return kExitSkipped;
  std::printf("%d of %d scenario(s) passed\n", ran - failed, ran);
  return failed == 0 ? 0 : kExitFailed;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sotto-interop: internal error: %s\n", e.what());
    return kExitFailed;
  }
}
