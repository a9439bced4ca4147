#include "latency/latency_dataset_runner.h"

#include "latency/latency_dataset.h"
#include "latency/latency_features.h"
#include "latency/latency_sample.h"
#include "util/stop_token.h"

namespace automoe {

LatencyDatasetRunner::LatencyDatasetRunner(SearchSpace space, uint64_t seed, int decoderRows,
                                           Measure measure)
    : m_space(space),
      m_sampler(std::move(space), seed),
      m_decoderRows(decoderRows),
      m_measure(std::move(measure)) {}

DatasetRunResult LatencyDatasetRunner::run(LatencyDataset& dataset, int samples,
                                           const StopToken& stop) const {
  const std::vector<ArchConfig> plan = m_sampler.plan(samples);
  DatasetRunResult r;
  r.planned = static_cast<int>(plan.size());
  std::vector<std::vector<int>> genes;
  for (const auto& a : plan) {
    genes.push_back(m_sampler.codec().encode(a));
    if (dataset.contains(genes.back())) ++r.alreadyStored;
  }
  int stored = r.alreadyStored;
  for (size_t i = 0; i < plan.size(); ++i) {
    if (dataset.contains(genes[i])) continue;
    if (stop.stopRequested()) {
      r.stopped = true;
      break;
    }
    const std::optional<LatencyMeasurement> m = m_measure(plan[i]);
    if (!m) {
      r.stopped = true;
      break;
    }
    LatencySample s;
    s.index = static_cast<int>(i);
    s.genes = genes[i];
    s.arch = plan[i];
    s.features = latencyFeatures(plan[i], m_space, m_decoderRows);
    s.measurement = *m;
    dataset.append(s);
    ++r.measured;
    ++stored;
    if (m_progress) m_progress(s, stored, r.planned);
  }
  return r;
}

}  // namespace automoe
