// SPDX-License-Identifier: Apache-2.0
// Latency samples (send to receipt, microseconds) and their percentiles.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace sotto::bench {

struct Percentiles {
  std::uint64_t count = 0;
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
  double mean_ms = 0;
  // (percentile, ms) points of the distribution, for a CDF plot.
  std::vector<std::pair<double, double>> cdf;
  [[nodiscard]] nlohmann::json to_json() const;
};

class LatencyRecorder {
 public:
  void add_ns(std::uint64_t ns) {
    const std::uint64_t us = ns / 1000;
    samples_.push_back(us > UINT32_MAX ? UINT32_MAX : static_cast<std::uint32_t>(us));
  }
  void clear() { samples_.clear(); }
  [[nodiscard]] std::size_t size() const { return samples_.size(); }
  // Sorts the samples (nearest-rank percentiles, as the peers' generator).
  [[nodiscard]] Percentiles percentiles();

 private:
  std::vector<std::uint32_t> samples_;
};

}  // namespace sotto::bench
