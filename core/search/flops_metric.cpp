#include "search/flops_metric.h"

#include "arch/arch_stats.h"

namespace automoe {

double FlopsMetric::value(const ArchConfig& arch) {
  return computeArchStats(arch, m_qkvDim, m_vocabSize, m_srcLen, m_tgtLen, m_model.costOptions(arch)).flops;
}

}  // namespace automoe
