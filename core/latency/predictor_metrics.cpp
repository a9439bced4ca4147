#include "latency/predictor_metrics.h"

#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace automoe {

nlohmann::json PredictorMetrics::toJson() const {
  return {{"count", count}, {"rmse_ms", rmseMs}, {"mape", mape}, {"kendall_tau", kendallTau}};
}

double kendallTau(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) throw std::invalid_argument("kendallTau: sizes differ");
  double concordant = 0, discordant = 0, tiesA = 0, tiesB = 0;
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = i + 1; j < a.size(); ++j) {
      const double da = a[i] - a[j], db = b[i] - b[j];
      if (da == 0 && db == 0) continue;
      if (da == 0) {
        ++tiesA;
      } else if (db == 0) {
        ++tiesB;
      } else if ((da > 0) == (db > 0)) {
        ++concordant;
      } else {
        ++discordant;
      }
    }
  const double denom = std::sqrt((concordant + discordant + tiesA) * (concordant + discordant + tiesB));
  return denom > 0 ? (concordant - discordant) / denom : 0.0;
}

PredictorMetrics evaluatePredictions(const std::vector<double>& measured,
                                     const std::vector<double>& predicted) {
  if (measured.size() != predicted.size())
    throw std::invalid_argument("evaluatePredictions: sizes differ");
  PredictorMetrics m;
  m.count = static_cast<int>(measured.size());
  if (measured.empty()) return m;
  double sq = 0, ape = 0;
  for (size_t i = 0; i < measured.size(); ++i) {
    const double e = predicted[i] - measured[i];
    sq += e * e;
    ape += std::abs(e) / measured[i];
  }
  m.rmseMs = std::sqrt(sq / m.count);
  m.mape = ape / m.count;
  m.kendallTau = kendallTau(measured, predicted);
  return m;
}

}  // namespace automoe
