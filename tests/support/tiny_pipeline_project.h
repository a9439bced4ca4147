#pragma once
// The tiny DDTP-backed project of tiny_data_project.h with every later stage of `automoe run`
// shrunk too (4 supernet updates, 12 latency samples of one run, a 4 x 1 search, 3 retraining
// updates, 4 test sentences): the whole pipeline runs in seconds, on a corpus built from local
// files.
#include <string>
#include <vector>

#include <QStringList>
#include <nlohmann/json.hpp>

#include "support/tiny_data_project.h"

namespace automoe::testing {

// The stages of `automoe run`, in the order the tests expect them to run (written out here, not
// taken from planPipeline, so that a change of order fails the tests).
inline const std::vector<std::string> kPipelineStages = {"corpus", "tokenizer", "supernet", "latency", "predictor",
                                                         "search", "export",    "retrain",  "evaluate"};
inline QStringList pipelineStageList() {
  QStringList out;
  for (const auto& s : kPipelineStages) out << QString::fromStdString(s);
  return out;
}

inline nlohmann::json tinyPipelineProjectJson(const std::string& root) {
  nlohmann::json j = tinyDataProjectJson(root);
  j["training"].update({{"max_updates", 4}, {"log_every", 1}});
  for (auto& h : j["hardware_profiles"])
    h.update({{"warmup", 0}, {"runs", 1}, {"src_len", 8}, {"tgt_len", 8}, {"beam", 1}});
  j["latency"]["dataset_samples"] = 12;
  j["latency"]["predictor"]["steps"] = 20;
  j["search"].update({{"population", 4}, {"parents", 2}, {"mutations", 1}, {"crossovers", 1}, {"generations", 1},
                      {"valid_batches", 1}, {"constraints", nlohmann::json::array()}});
  j["retrain"] = {{"average_last", 1},
                  {"training",
                   {{"max_updates", 3}, {"checkpoint_every", 3}, {"validate_every", 100}, {"log_every", 1},
                    {"valid_batches", 1}, {"threads", 1}, {"keep_checkpoints", 1}}}};
  j["evaluation"]["max_sentences"] = 4;
  j["evaluation"]["beam"] = 2;
  return j;
}

}  // namespace automoe::testing
