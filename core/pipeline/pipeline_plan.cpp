#include "pipeline/pipeline_plan.h"

#include <map>

#include <nlohmann/json.hpp>

#include "data/fingerprint.h"

namespace automoe {

namespace {

nlohmann::json section(const nlohmann::json& p, const char* key) { return p.contains(key) ? p.at(key) : nlohmann::json(); }

nlohmann::json profileJson(const nlohmann::json& p, const std::string& profile) {
  for (const auto& h : section(p, "hardware_profiles"))
    if (h.value("name", "") == profile) return h;
  return nullptr;
}

}  // namespace

std::vector<PipelineStagePlan> planPipeline(const nlohmann::json& p, const std::string& profile) {
  const nlohmann::json data = section(p, "data");
  const nlohmann::json corpusInputs = {{"pair", data.value("pair", nlohmann::json())},
                                       {"sources", data.value("sources", nlohmann::json())},
                                       {"valid_size", data.value("valid_size", nlohmann::json())},
                                       {"test_size", data.value("test_size", nlohmann::json())},
                                       {"dir", data.value("dir", nlohmann::json())}};
  const nlohmann::json seed = section(p, "seed");
  struct Stage {
    const char* name;
    const char* title;
    std::vector<const char*> deps;  // stages whose outputs it reads
    nlohmann::json inputs;          // the project settings it reads
  };
  const nlohmann::json latency = section(p, "latency");
  const std::vector<Stage> stages = {
      {"corpus", "build the parallel corpus", {}, {corpusInputs, seed}},
      {"tokenizer", "train the tokenizer and binarise the corpus", {"corpus"}, {data}},
      {"supernet", "train the SuperTransformer", {"tokenizer"},
       {section(p, "search_space"), section(p, "model"), section(p, "training"), seed}},
      // Latency does not depend on trained weights: it only needs the space and the profile.
      {"latency", "measure the latency dataset", {},
       {section(p, "search_space"), section(p, "model"), profileJson(p, profile),
        latency.value("dataset_samples", nlohmann::json()), latency.value("seed", nlohmann::json())}},
      {"predictor", "train the latency predictor", {"latency"}, {latency}},
      {"search", "evolutionary search", {"supernet", "predictor"}, {section(p, "search"), seed}},
      {"export", "export the chosen subnet", {"search"}, {section(p, "evaluation")}},
      {"retrain", "retrain the chosen subnet from scratch", {"export", "tokenizer"},
       {section(p, "retrain"), section(p, "training"), seed}},
      {"evaluate", "evaluate the retrained model", {"retrain"},
       {section(p, "evaluation"), section(p, "hardware_profiles")}}};
  std::vector<PipelineStagePlan> out;
  std::map<std::string, std::string> done;
  for (const Stage& st : stages) {
    std::string text = st.name + std::string("|") + st.inputs.dump();
    for (const char* d : st.deps) text += std::string("|") + d + "=" + done.at(d);
    const std::string fp = hex64(fnv1a64(text));
    done[st.name] = fp;
    out.push_back({st.name, st.title, fp, std::vector<std::string>(st.deps.begin(), st.deps.end())});
  }
  return out;
}

}  // namespace automoe
