#pragma once
// `automoe run --trial`: the same pipeline shrunk in every stage so that it finishes on two cores
// in minutes (AutoMoE's trial run does the same). The trial project is written to
// <project dir>/runs/trial/project.json; its outputs live under that folder and never mix with
// the full run's, while the corpus and tokenizer (expensive to fetch, identical in both) are
// shared through an absolute data folder.
#include <string>

#include <nlohmann/json.hpp>

namespace automoe {

// `projectJson` is Project::toJson() of the project in `projectDir`.
nlohmann::json trialProject(const nlohmann::json& projectJson, const std::string& projectDir);

// <project dir>/runs/trial/project.json
std::string trialProjectPath(const std::string& projectDir);

}  // namespace automoe
