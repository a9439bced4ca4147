#pragma once
// Analytic FLOPs of one sentence (computeArchStats: srcLen source, tgtLen target tokens,
// teacher-forced, vocabulary projection included), in FLOPs.
#include <cstdint>
#include <utility>

#include "project/model_options.h"
#include "search/cost_metric.h"

namespace automoe {

class FlopsMetric final : public CostMetric {
 public:
  // `model`: the project's model options (CMR adds a dense FFN per MoE layer, per layer).
  FlopsMetric(int qkvDim, int64_t vocabSize, int srcLen, int tgtLen, ModelOptions model = {})
      : m_qkvDim(qkvDim), m_vocabSize(vocabSize), m_srcLen(srcLen), m_tgtLen(tgtLen), m_model(std::move(model)) {}
  std::string name() const override { return "flops"; }
  std::string unit() const override { return "FLOPs"; }
  double value(const ArchConfig& arch) override;

 private:
  int m_qkvDim;
  int64_t m_vocabSize;
  int m_srcLen, m_tgtLen;
  ModelOptions m_model;
};

}  // namespace automoe
