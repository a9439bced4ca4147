#include "search/predicted_latency_metric.h"

#include <stdexcept>

#include "latency/latency_predictor.h"

namespace automoe {

PredictedLatencyMetric::PredictedLatencyMetric(std::shared_ptr<const LatencyPredictor> predictor)
    : m_predictor(std::move(predictor)) {
  if (!m_predictor || !m_predictor->trained())
    throw std::invalid_argument("PredictedLatencyMetric needs a trained predictor");
}

double PredictedLatencyMetric::value(const ArchConfig& arch) { return m_predictor->predictMs(arch); }

}  // namespace automoe
