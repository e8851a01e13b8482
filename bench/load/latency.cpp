// SPDX-License-Identifier: Apache-2.0
#include "latency.hpp"

#include <algorithm>

namespace sotto::bench {

nlohmann::json Percentiles::to_json() const {
  nlohmann::json points = nlohmann::json::array();
  for (const auto& [pct, ms] : cdf) points.push_back({pct, ms});
  return {{"count", count},   {"p50_ms", p50_ms},   {"p90_ms", p90_ms}, {"p99_ms", p99_ms},
          {"max_ms", max_ms}, {"mean_ms", mean_ms}, {"cdf", points}};
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
  for (double pct : {0.0,  1.0,  5.0,  10.0, 20.0, 30.0, 40.0, 50.0,  60.0,  70.0,
                     80.0, 90.0, 95.0, 97.5, 99.0, 99.5, 99.9, 99.95, 99.99, 100.0}) {
    p.cdf.emplace_back(pct, at(pct / 100.0));
  }
  double total = 0;
  for (auto s : samples_) total += s;
  p.mean_ms = total / static_cast<double>(samples_.size()) / 1000.0;
  return p;
}

}  // namespace sotto::bench
