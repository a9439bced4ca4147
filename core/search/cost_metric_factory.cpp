#include "search/cost_metric_factory.h"

#include <filesystem>

#include "latency/latency_paths.h"
#include "latency/latency_predictor.h"
#include "latency/latency_profiler.h"
#include "project/project.h"
#include "search/active_params_metric.h"
#include "search/flops_metric.h"
#include "search/measured_latency_metric.h"
#include "search/predicted_latency_metric.h"
#include "search/total_params_metric.h"
#include "util/config_error.h"

namespace automoe {

namespace {

const HardwareProfile& searchProfile(const Project& p) {
  if (p.search.profile.empty() || p.hardwareProfiles.empty())
    return findHardwareProfile(p.hardwareProfiles, p.search.profile, p.path);
  std::string known;
  for (const auto& h : p.hardwareProfiles) {
    if (h.name == p.search.profile) return h;
    known += (known.empty() ? "" : ", ") + h.name;
  }
  throw ConfigError(p.path + ": field 'search.profile': no hardware profile named \"" + p.search.profile +
                    "\" (known: " + known + ")");
}

}  // namespace

CostMetricFactory::CostMetricFactory(const Project& project) : m_project(project), m_profile(searchProfile(project)) {}

CostMetricFactory::~CostMetricFactory() = default;

bool CostMetricFactory::predictorAvailable() const {
  return std::filesystem::exists(latencyPredictorStem(m_project, m_profile) + ".json");
}

std::shared_ptr<CostMetric> CostMetricFactory::make(const std::string& name) {
  for (const auto& m : m_made)
    if (m->name() == name) return m;
  const int qkv = m_project.space.qkvDim;
  const int64_t vocab = m_project.model.vocabSize;
  std::shared_ptr<CostMetric> metric;
  if (name == "flops") {
    metric = std::make_shared<FlopsMetric>(qkv, vocab, m_profile.srcLen, m_profile.tgtLen, m_project.model);
  } else if (name == "total_params") {
    metric = std::make_shared<TotalParamsMetric>(qkv, vocab, m_project.model);
  } else if (name == "active_params") {
    metric = std::make_shared<ActiveParamsMetric>(qkv, vocab, m_project.model);
  } else if (name == "predicted_latency") {
    const std::string stem = latencyPredictorStem(m_project, m_profile);
    if (!predictorAvailable())
      throw ConfigError(stem + ".json: no latency predictor for profile \"" + m_profile.name +
                        "\" (needed by the search's predicted_latency); run 'automoe latency dataset " +
                        m_project.path + "' and 'automoe latency train " + m_project.path + "' first");
    m_predictor = std::make_shared<const LatencyPredictor>(LatencyPredictor::load(stem, m_project.space));
    metric = std::make_shared<PredictedLatencyMetric>(m_predictor);
  } else if (name == "measured_latency") {
    m_profiler = std::make_unique<LatencyProfiler>(m_profile, m_project.space, m_project.model);
    m_profiler->setModelSeed(m_project.seed);
    metric = std::make_shared<MeasuredLatencyMetric>(*m_profiler, m_project.space);
  } else {
    throw ConfigError(m_project.path + ": unknown cost metric \"" + name + "\"");
  }
  m_made.push_back(metric);
  return metric;
}

}  // namespace automoe
