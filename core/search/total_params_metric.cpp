#include "search/total_params_metric.h"

#include "arch/arch_stats.h"

namespace automoe {

double TotalParamsMetric::value(const ArchConfig& arch) {
  return static_cast<double>(computeArchStats(arch, m_qkvDim, m_vocabSize, 1, 1, m_model.costOptions(arch)).totalParams);
}

}  // namespace automoe
