// SPDX-License-Identifier: Apache-2.0
#include "latency.hpp"

#include <algorithm>

namespace sotto::bench {

nlohmann::json Percentiles::to_json() const {
  return {{"count", count},   {"p50_ms", p50_ms}, {"p90_ms", p90_ms},
          {"p99_ms", p99_ms}, {"max_ms", max_ms}, {"mean_ms", mean_ms}};
}

Percentiles LatencyRecorder::percentiles() {
  Percentiles p;
  p.count = samples_.size();
  if (samples_.empty()) return p;
  std::sort(samples_.begin(), samples_.end());
  auto at = [&](double q) {
    return samples_[static_cast<std::size_t>(static_cast<double>(samples_.size() - 1) * q)] /
           1000.0;
  };
  p.p50_ms = at(0.50);
  p.p90_ms = at(0.90);
  p.p99_ms = at(0.99);
  p.max_ms = samples_.back() / 1000.0;
  double total = 0;
  for (auto s : samples_) total += s;
  p.mean_ms = total / static_cast<double>(samples_.size()) / 1000.0;
  return p;
}

}  // namespace sotto::bench
