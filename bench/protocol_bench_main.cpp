// SPDX-License-Identifier: Apache-2.0
// Runs every protocol operation on our library and on libsignal-protocol-c,
// interleaved, then prints Markdown tables of Sotto rate / C rate. All the
// usual Google Benchmark flags work (--benchmark_filter, --benchmark_repetitions,
// --benchmark_min_time, --benchmark_out=...); with repetitions the tables use
// the median. One flag of our own:
//   --signal_c_provider=peer|lean|both   (default both)
// picks the crypto provider(s) the C library runs with: the interop peer's, the
// lean one of this benchmark, or each in turn (two tables).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "protocol_bench.hpp"

namespace sotto::bench {
namespace {

// The console output as usual, plus the items/s of every run it shows.
class RatioReporter final : public benchmark::ConsoleReporter {
 public:
  // Colours only on a terminal, like the library's own default reporter.
  RatioReporter() : ConsoleReporter(isatty(STDOUT_FILENO) != 0 ? OO_Color : OO_None) {}

  void ReportRuns(const std::vector<Run>& reports) override {
    for (const Run& run : reports) collect(run);
    ConsoleReporter::ReportRuns(reports);
  }

  // `caption`, then | operation | sotto/s | <c_title>/s | ratio | for the
  // operations that ran.
  void print_table(std::FILE* out, std::string_view c_library, std::string_view c_title,
                   std::string_view caption) const {
    bool any = false;
    for (const Operation& op : kOperations) any = any || rate(op.key, c_library) > 0;
    if (!any) return;
    std::fprintf(out, "\n%.*s\n\n| operation | sotto/s | %.*s/s | ratio |\n|---|---:|---:|---:|\n",
                 static_cast<int>(caption.size()), caption.data(), static_cast<int>(c_title.size()),
                 c_title.data());
    for (const Operation& op : kOperations) {
      const double ours = rate(op.key, kSotto);
      const double theirs = rate(op.key, c_library);
      if (ours == 0 && theirs == 0) continue;  // filtered out
      std::fprintf(out, "| %.*s | %s | %s | %s |\n", static_cast<int>(op.title.size()),
                   op.title.data(), format_rate(ours).c_str(), format_rate(theirs).c_str(),
                   ours > 0 && theirs > 0 ? format_ratio(ours / theirs).c_str() : "—");
    }
  }

 private:
  struct Rates {
    double single = 0;  // the last plain run
    double median = 0;  // the median aggregate, when there are repetitions
  };

  void collect(const Run& run) {
    if (run.error_occurred) return;
    auto it = run.counters.find("items_per_second");
    if (it == run.counters.end()) return;
    // run_name.function_name is "<operation>/<library>".
    Rates& rates = rates_[run.run_name.function_name];
    if (run.run_type == Run::RT_Aggregate) {
      if (run.aggregate_name == "median") rates.median = it->second.value;
    } else {
      rates.single = it->second.value;
    }
  }

  [[nodiscard]] double rate(std::string_view operation, std::string_view library) const {
    auto it = rates_.find(std::string(operation) + "/" + std::string(library));
    if (it == rates_.end()) return 0;
    return it->second.median > 0 ? it->second.median : it->second.single;
  }

  static std::string format_rate(double rate) {
    if (rate <= 0) return "—";
    char text[32];
    std::snprintf(text, sizeof(text), rate >= 100 ? "%.0f" : "%.1f", rate);
    return text;
  }

  static std::string format_ratio(double ratio) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.2f×", ratio);
    return text;
  }

  std::map<std::string, Rates> rates_;
};

constexpr std::string_view kProviderFlag = "--signal_c_provider=";

// Removes our flag from argv (Google Benchmark rejects flags it does not know)
// and returns its value; empty when it is malformed.
std::string take_provider_flag(int& argc, char** argv) {
  std::string value = "both";
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with(kProviderFlag)) {
      value = std::string(arg.substr(kProviderFlag.size()));
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  argv[argc] = nullptr;
  return value == "peer" || value == "lean" || value == "both" ? value : std::string();
}

void register_interleaved(const std::string& provider) {
  std::vector<std::string_view> libraries = {kSotto};
  if (provider != "lean") libraries.push_back(kSignalC);
  if (provider != "peer") libraries.push_back(kSignalCLean);
  std::vector<BenchCase> cases = sotto_cases();
  for (const BenchCase& c : signal_c_cases()) cases.push_back(c);
  for (const Operation& op : kOperations) {
    for (std::string_view library : libraries) {
      for (const BenchCase& c : cases) {
        if (c.operation != op.key || c.library != library) continue;
        const std::string name = std::string(op.key) + "/" + std::string(library);
        benchmark::RegisterBenchmark(name.c_str(), c.function);
      }
    }
  }
}

}  // namespace
}  // namespace sotto::bench

int main(int argc, char** argv) {
  const std::string provider = sotto::bench::take_provider_flag(argc, argv);
  if (provider.empty()) {
    std::fprintf(stderr, "--signal_c_provider must be peer, lean or both\n");
    return 1;
  }
  sotto::bench::register_interleaved(provider);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  sotto::bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::cout.flush();
  reporter.print_table(stdout, sotto::bench::kSignalC, "libsignal-c",
                       "libsignal-c: libsignal-protocol-c with the interop peer's crypto provider "
                       "(tests/interop/peer_c).");
  reporter.print_table(stdout, sotto::bench::kSignalCLean, "libsignal-c (lean provider)",
                       "libsignal-c (lean provider): the same with OpenSSL algorithms fetched once "
                       "per process (bench/protocol_bench_signal_c_lean_provider.hpp).");
  benchmark::Shutdown();
  return 0;
}
