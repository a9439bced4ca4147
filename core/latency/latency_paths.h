#pragma once
// Where a project's latency results live: <project dir>/runs/latency/<profile>.jsonl (dataset)
// and <profile>.predictor.pt / .json (predictor), one set per hardware profile.
#include <string>

namespace automoe {

struct Project;
struct HardwareProfile;

std::string latencyDatasetPath(const Project& project, const HardwareProfile& profile);
// Without extension: the predictor is <stem>.pt + <stem>.json.
std::string latencyPredictorStem(const Project& project, const HardwareProfile& profile);

}  // namespace automoe
