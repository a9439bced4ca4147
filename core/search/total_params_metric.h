#pragma once
// Parameters the standalone subnet stores (all sampled experts, routers and embeddings).
#include <cstdint>

#include "search/cost_metric.h"

namespace automoe {

class TotalParamsMetric final : public CostMetric {
 public:
  TotalParamsMetric(int qkvDim, int64_t vocabSize) : m_qkvDim(qkvDim), m_vocabSize(vocabSize) {}
  std::string name() const override { return "total_params"; }
  std::string unit() const override { return "params"; }
  double value(const ArchConfig& arch) override;

 private:
  int m_qkvDim;
  int64_t m_vocabSize;
};

}  // namespace automoe
