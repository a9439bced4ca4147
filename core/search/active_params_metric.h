#pragma once
// Parameters one token uses (non-expert weights + top-k experts of mean size per MoE layer).
#include <cstdint>

#include "search/cost_metric.h"

namespace automoe {

class ActiveParamsMetric final : public CostMetric {
 public:
  ActiveParamsMetric(int qkvDim, int64_t vocabSize) : m_qkvDim(qkvDim), m_vocabSize(vocabSize) {}
  std::string name() const override { return "active_params"; }
  std::string unit() const override { return "params"; }
  double value(const ArchConfig& arch) override;

 private:
  int m_qkvDim;
  int64_t m_vocabSize;
};

}  // namespace automoe
