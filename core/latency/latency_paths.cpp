#include "latency/latency_paths.h"

#include "latency/hardware_profile.h"
#include "project/project.h"

namespace automoe {

std::string latencyDatasetPath(const Project& project, const HardwareProfile& profile) {
  return project.resolvePath("runs/latency/" + profile.fileStem() + ".jsonl");
}

std::string latencyPredictorStem(const Project& project, const HardwareProfile& profile) {
  return project.resolvePath("runs/latency/" + profile.fileStem() + ".predictor");
}

}  // namespace automoe
