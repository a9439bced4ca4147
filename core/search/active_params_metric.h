#pragma once
// Parameters one token uses (non-expert weights + top-k experts of mean size per MoE layer).
#include <cstdint>
#include <utility>

#include "project/model_options.h"
#include "search/cost_metric.h"

namespace automoe {

class ActiveParamsMetric final : public CostMetric {
 public:
  // `model`: the project's model options (CMR and router shapes add parameters, per layer).
  ActiveParamsMetric(int qkvDim, int64_t vocabSize, ModelOptions model = {})
      : m_qkvDim(qkvDim), m_vocabSize(vocabSize), m_model(std::move(model)) {}
  std::string name() const override { return "active_params"; }
  std::string unit() const override { return "params"; }
  double value(const ArchConfig& arch) override;

 private:
  int m_qkvDim;
  int64_t m_vocabSize;
  ModelOptions m_model;
};

}  // namespace automoe
