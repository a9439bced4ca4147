#pragma once
// The demo project made tiny (one-layer stacks of width 32/24, a vocabulary of 150, three
// training updates), its corpus built from local DDTP indexes (ddtp_fixture.h) in <root>/ddtp
// instead of a download: for tests that prepare real data and train on it in seconds.
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "support/ddtp_fixture.h"
#include "util/atomic_file.h"
#include "util/json_reader.h"

namespace automoe::testing {

// Writes the DDTP indexes (unless `withSources` is false) and returns the project's JSON, for the
// caller to amend and write as <root>/project.json (writeTinyDataProject).
inline nlohmann::json tinyDataProjectJson(const std::string& root, bool withSources = true) {
  if (withSources) {
    std::filesystem::create_directories(root + "/ddtp");
    const auto f = makeDdtpFixture(160);
    writeFileAtomically(root + "/ddtp/Translation-en", f.english);
    writeFileAtomically(root + "/ddtp/Translation-de", f.translated);
  }
  const std::string demo = AUTOMOE_SOURCE_DIR "/projects/demo/project.json";
  nlohmann::json j = parseJsonText(readTextFile(demo), demo);
  for (const char* side : {"encoder", "decoder"}) {
    j["search_space"][side]["embed_dim"] = {32, 24};
    j["search_space"][side]["ffn_dim"] = {64, 32};
    j["search_space"][side]["layers"] = {1};
  }
  j["search_space"]["qkv_dim"] = 32;
  j["model"]["vocab_size"] = 150;
  j["data"] = {{"dir", "data"}, {"ddtp_dir", "ddtp"}, {"vocab_size", 150},
               {"valid_size", 8},  {"test_size", 8},     {"max_tokens", 256}};
  j["training"].update({{"max_updates", 3}, {"validate_every", 100}, {"checkpoint_every", 100}, {"log_every", 1},
                        {"valid_batches", 1}, {"reference_subnets", 1}, {"threads", 1}});
  j["training"]["lr"]["warmup_updates"] = 2;
  return j;
}

// <root>/project.json holding `project`; its path.
inline std::string writeTinyDataProject(const std::string& root, const nlohmann::json& project) {
  writeFileAtomically(root + "/project.json", project.dump(2));
  return root + "/project.json";
}

}  // namespace automoe::testing
