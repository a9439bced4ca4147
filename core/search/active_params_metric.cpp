#include "search/active_params_metric.h"

#include "arch/arch_stats.h"

namespace automoe {

double ActiveParamsMetric::value(const ArchConfig& arch) {
  return computeArchStats(arch, m_qkvDim, m_vocabSize, 1, 1, m_model.costOptions(arch)).activeParams;
}

}  // namespace automoe
