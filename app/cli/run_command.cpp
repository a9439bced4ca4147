// automoe run PROJECT [--trial]: the whole AutoMoE pipeline in order, each stage skipped when its
// outputs are up to date (same input fingerprint, its outputs and the files of the stages before
// it as they were when it completed), resumed when it was interrupted, run again when its outputs
// changed, and started over when its inputs changed. Every stage is the CLI command of the
// same name run in this process, so `automoe run` does exactly what the commands do one by one.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <set>

#include <nlohmann/json.hpp>

#include "arg_parser.h"
#include "cli_app.h"
#include "commands.h"
#include "data/corpus_builder.h"
#include "data/data_preparer.h"
#include "data/fingerprint.h"
#include "export/export_job.h"
#include "latency/hardware_profile.h"
#include "latency/latency_paths.h"
#include "pipeline/file_stamp.h"
#include "pipeline/pipeline_plan.h"
#include "pipeline/pipeline_state.h"
#include "pipeline/trial_project.h"
#include "project/project.h"
#include "train/subnet_retrainer.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/run_lock.h"
#include "util/json_reader.h"

namespace automoe::cli {

namespace fs = std::filesystem;

namespace {

struct StageContext {
  const Project& project;
  std::string projectPath;
  std::string profile;
  bool fresh = false;  // the stage's inputs changed since it last ran
};

std::string exportDir(const Project& p) { return searchModelDir(p); }
std::string retrainedModelDir(const Project& p) {
  return SubnetRetrainer::modelDir(p.resolvePath(p.retrain.training.runDir));
}
std::string searchResultPath(const Project& p) { return p.resolvePath(p.search.runDir) + "/result.json"; }

nlohmann::json readJson(const std::string& path) { return parseJsonText(readTextFile(path), path); }

// A file of a stage whose inputs changed is kept under another name rather than overwritten.
void setAside(const std::string& path) {
  if (!fs::exists(path)) return;
  const std::string aside = path + ".replaced-" + utcTimestamp();
  fs::rename(path, aside);
  std::fprintf(stderr, "kept the previous %s as %s\n", path.c_str(), aside.c_str());
}

int runStage(const std::string& name, const StageContext& c) {
  const Project& p = c.project;
  const std::string& pp = c.projectPath;
  Args fresh = c.fresh ? Args{"--fresh"} : Args{};
  auto with = [](Args a, const Args& more) {
    a.insert(a.end(), more.begin(), more.end());
    return a;
  };
  if (name == "corpus") return dataBuild({pp});
  if (name == "tokenizer") return dataPrepare({pp});
  if (name == "supernet") return train(with({pp}, fresh));
  if (name == "latency") {
    const HardwareProfile& h = findHardwareProfile(p.hardwareProfiles, c.profile, p.path);
    if (c.fresh) setAside(latencyDatasetPath(p, h));
    return latencyDataset({pp, "--profile", c.profile, "--samples", std::to_string(p.latency.datasetSamples)});
  }
  if (name == "predictor") return latencyTrain({pp, "--profile", c.profile});
  if (name == "search") return search(with({pp}, fresh));
  if (name == "export") {
    const nlohmann::json result = readJson(searchResultPath(p));
    return exportModel({pp, "--candidate", std::to_string(result.at("best_id").get<int64_t>()), exportDir(p)});
  }
  if (name == "retrain") return retrain(with({pp, "--model", exportDir(p)}, fresh));
  if (name == "evaluate") return evaluate({pp, "--model", retrainedModelDir(p)});
  throw std::logic_error("unknown pipeline stage " + name);
}

// Files whose presence a completed stage promises (a stage whose outputs were deleted runs again).
std::vector<std::string> stageOutputs(const std::string& name, const StageContext& c) {
  const Project& p = c.project;
  const std::string data = p.resolvePath(p.data.dir);
  if (name == "corpus") return {CorpusBuilder::manifestPath(data)};
  if (name == "tokenizer") return {DataPreparer::metaPath(data), DataPreparer::tokenizerModel(data)};
  if (name == "supernet") return {p.resolvePath(p.training.runDir) + "/checkpoint_last.pt"};
  const HardwareProfile& h = findHardwareProfile(p.hardwareProfiles, c.profile, p.path);
  if (name == "latency") return {latencyDatasetPath(p, h)};
  if (name == "predictor") return {latencyPredictorStem(p, h) + ".pt"};
  if (name == "search") return {searchResultPath(p)};
  if (name == "export") return {exportDir(p) + "/model_card.json"};
  if (name == "retrain") return {retrainedModelDir(p) + "/model_card.json"};
  if (name == "evaluate") return {retrainedModelDir(p) + "/evaluation_" + p.evaluation.split + ".json"};
  return {};
}

bool allExist(const std::vector<std::string>& files) {
  for (const auto& f : files)
    if (!fs::exists(f)) return false;
  return true;
}

void printSummary(const Project& p) {
  const std::string dir = retrainedModelDir(p);
  const nlohmann::json card = readJson(dir + "/model_card.json");
  const nlohmann::json eval = readJson(dir + "/evaluation_" + p.evaluation.split + ".json");
  const nlohmann::json result = readJson(searchResultPath(p));
  const nlohmann::json& stats = card.at("stats");
  std::printf("\n== chosen subnet (search candidate %lld) ==\n", static_cast<long long>(result.at("best_id").get<int64_t>()));
  std::printf("architecture   %s\n", card.value("arch_summary", std::string()).c_str());
  for (const auto& [name, l] : card.at("latency").items()) {
    if (l.contains("mean_ms"))
      std::printf("latency        %s: %.2f ms measured (cv %.1f%%)\n", name.c_str(), l.at("mean_ms").get<double>(),
                  100 * l.value("cv", 0.0));
    else
      std::printf("latency        %s: not measured (%s)\n", name.c_str(), l.value("skipped", std::string("?")).c_str());
  }
  std::printf("FLOPs          %.3f GFLOPs per sentence (%d source x %d target tokens)\n",
              stats.value("flops", 0.0) / 1e9, stats.value("src_len", 30), stats.value("tgt_len", 30));
  std::printf("parameters     %.3fM total, %.3fM active per token\n", stats.value("total_params", 0.0) / 1e6,
              stats.value("active_params", 0.0) / 1e6);
  const nlohmann::json& r = eval.contains("result") ? eval.at("result") : eval;
  std::printf("BLEU           %.2f on %s (%lld sentences, retrained from scratch; %s)\n",
              r.at("bleu").at("score").get<double>(), r.value("split", p.evaluation.split).c_str(),
              static_cast<long long>(r.value("sentences", int64_t{0})),
              r.at("bleu").value("signature", std::string()).c_str());
  std::printf("model          %s\n", dir.c_str());
  std::printf("translate with automoe translate --model %s < input.txt\n", dir.c_str());
}

// The stamps of every file that the stages stage `i` depends on (directly or through others) wrote,
// as recorded when they completed.
nlohmann::json upstreamStamps(const PipelineState& state, const std::vector<PipelineStagePlan>& plan, size_t i) {
  std::set<std::string> stages;
  std::vector<std::string> pending = plan[i].deps;
  while (!pending.empty()) {
    const std::string d = pending.back();
    pending.pop_back();
    if (!stages.insert(d).second) continue;
    for (const auto& s : plan)
      if (s.name == d) pending.insert(pending.end(), s.deps.begin(), s.deps.end());
  }
  nlohmann::json out = nlohmann::json::object();
  for (const auto& d : stages) {
    const nlohmann::json o = state.outputs(d);
    if (o.is_object() && o.contains("stamps") && o["stamps"].is_object()) out.update(o["stamps"]);
  }
  return out;
}

}  // namespace

int runPipeline(const Args& args) {
  ArgParser ap(args, {}, {"trial"});
  ap.expectPositional({"PROJECT"});
  std::string projectPath = Project::fileAt(ap.positional()[0]);  // the stages' children get the file
  if (ap.has("trial")) {
    const Project original = Project::load(projectPath);
    const nlohmann::json trial = trialProject(original.toJson(), original.directory());
    const std::string path = trialProjectPath(original.directory());
    fs::create_directories(fs::path(path).parent_path());
    Project::fromJson(trial, path);  // refuse before writing anything if the result is invalid
    writeFileAtomically(path, trial.dump(2) + "\n");
    std::fprintf(stderr, "trial run: every stage shrunk; project %s, outputs under %s\n", path.c_str(),
                 fs::path(path).parent_path().c_str());
    projectPath = path;
  }
  const Project p = Project::load(projectPath);
  const std::string profile = p.search.profile.empty() ? p.hardwareProfiles.at(0).name : p.search.profile;
  findHardwareProfile(p.hardwareProfiles, profile, p.path);  // ConfigError for an unknown name
  // One pipeline per project at a time (each stage also holds its own files while it runs).
  const std::string statePath = p.resolvePath("runs/pipeline.json");
  fs::create_directories(fs::path(statePath).parent_path());
  const RunLock pipelineLock(RunLock::forFile(statePath), statePath);
  PipelineState state = PipelineState::load(statePath);
  const std::vector<PipelineStagePlan> plan = planPipeline(p.toJson(), profile);
  const auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < plan.size(); ++i) {
    const PipelineStagePlan& s = plan[i];
    const PipelineState::Status status = state.status(s.name, s.fingerprint);
    StageContext c{p, projectPath, profile, status == PipelineState::Status::Changed};
    const std::vector<std::string> outputs = stageOutputs(s.name, c);
    std::fprintf(stderr, "\n[%zu/%zu] %s: %s", i + 1, plan.size(), s.name.c_str(), s.title.c_str());
    std::string why = status == PipelineState::Status::Changed       ? " (inputs changed: starting over)"
                      : status == PipelineState::Status::Interrupted ? " (resuming)"
                                                                     : "";
    if (status == PipelineState::Status::Done && allExist(outputs)) {
      // Files rewritten since the stage completed (a command run by hand, a stage before it
      // re-run): what the stage read changed, so it starts over; what it wrote, so it runs again.
      const std::string input = state.changedFile(s.name, "input_stamps", p.directory());
      const std::string output = input.empty() ? state.changedFile(s.name, "stamps", p.directory()) : std::string();
      if (input.empty() && output.empty()) {
        std::fprintf(stderr, " - up to date\n");
        continue;
      }
      c.fresh = !input.empty();
      why = input.empty() ? " (its output " + output + " changed since it ran: running it again)"
                          : " (" + input + ", which it read, changed since it ran: starting over)";
    }
    std::fprintf(stderr, "%s\n", why.c_str());
    state.markStarted(s.name, s.fingerprint);
    const auto ts = std::chrono::steady_clock::now();
    const int rc = runStage(s.name, c);
    std::fflush(stdout);
    if (rc != kExitOk) {
      if (rc == kExitDiverged)  // resuming as it is would diverge again
        std::fprintf(stderr, "\nautomoe run: stage '%s' diverged (the loss or its gradient was not finite); lower "
                     "the learning rate (%s.lr.max) or set %s.clip_norm in the project, then run the same command "
                     "again (the stage starts over with them)\n", s.name.c_str(), s.name == "retrain" ? "retrain.training" : "training",
                     s.name == "retrain" ? "retrain.training" : "training");
      else
        std::fprintf(stderr, "\nautomoe run: stage '%s' %s; run the same command again to resume it\n", s.name.c_str(),
                     rc == kExitInterrupted ? "was stopped" : "failed");
      return rc;
    }
    if (!allExist(outputs)) {
      std::fprintf(stderr, "automoe run: stage '%s' finished without its output %s\n", s.name.c_str(),
                   outputs.empty() ? "?" : outputs.front().c_str());
      return kExitInternal;
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - ts).count();
    // Keyed relative to the project's folder: the same from any working directory, and after the
    // project folder moves.
    const fs::path projectDir = fs::absolute(p.directory()).lexically_normal();
    nlohmann::json stamps = nlohmann::json::object();
    for (const auto& f : outputs)
      stamps[fs::absolute(f).lexically_normal().lexically_relative(projectDir).string()] = FileStamp::of(f);
    state.markDone(s.name, s.fingerprint,
                   {{"files", outputs}, {"seconds", secs}, {"stamps", stamps},
                    {"input_stamps", upstreamStamps(state, plan, i)}});
    std::fprintf(stderr, "[%zu/%zu] %s: done in %.1f s\n", i + 1, plan.size(), s.name.c_str(), secs);
  }
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "\npipeline complete in %.1f s (state: %s)\n", total, state.path().c_str());
  printSummary(p);
  return kExitOk;
}

}  // namespace automoe::cli
