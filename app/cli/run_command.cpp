// automoe run PROJECT [--trial]: the whole AutoMoE pipeline in order (core/pipeline/pipeline_job.h:
// each stage skipped when its outputs are up to date, resumed when it was interrupted, run again
// when its outputs changed, started over when its inputs changed), its progress on stderr, and a
// summary of the chosen, retrained model on stdout.
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "arg_parser.h"
#include "cli_app.h"
#include "commands.h"
#include "console_pipeline_observer.h"
#include "pipeline/pipeline_job.h"
#include "project/project.h"
#include "util/atomic_file.h"
#include "util/json_reader.h"
#include "util/stop_signal_scope.h"

namespace automoe::cli {

namespace {

nlohmann::json readJson(const std::string& path) { return parseJsonText(readTextFile(path), path); }

void printSummary(const Project& p, const std::string& modelDir) {
  const std::string dir = modelDir;
  const nlohmann::json card = readJson(dir + "/model_card.json");
  const nlohmann::json eval = readJson(dir + "/evaluation_" + p.evaluation.split + ".json");
  const nlohmann::json result = readJson(p.resolvePath(p.search.runDir) + "/result.json");
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

}  // namespace

int runPipeline(const Args& args) {
  ArgParser ap(args, {}, {"trial"});
  ap.expectPositional({"PROJECT"});
  std::string projectPath = Project::fileAt(ap.positional()[0]);
  if (ap.has("trial")) {
    projectPath = writeTrialProject(projectPath);
    std::fprintf(stderr, "trial run: every stage shrunk; project %s, outputs under %s\n", projectPath.c_str(),
                 std::filesystem::path(projectPath).parent_path().c_str());
  }
  const Project p = Project::load(projectPath);
  StopToken stop;
  StopSignalScope signals(stop);
  ConsolePipelineObserver observer(p);
  const PipelineResult r = runPipelineJob(p, stop, observer);
  std::fflush(stdout);
  switch (r.status) {
    case PipelineStatus::Completed:
      std::fprintf(stderr, "\npipeline complete in %.1f s (state: %s)\n", r.seconds, r.statePath.c_str());
      printSummary(p, r.modelDir);
      return kExitOk;
    case PipelineStatus::Stopped:
      std::fprintf(stderr, "\nautomoe run: %s\n", r.message.c_str());
      return kExitInterrupted;
    case PipelineStatus::Diverged:
      std::fprintf(stderr, "\nautomoe run: %s\n", r.message.c_str());
      return kExitDiverged;
    case PipelineStatus::Failed:
      break;
  }
  std::fprintf(stderr, "\nautomoe run: %s\n", r.message.c_str());
  return kExitInternal;
}

}  // namespace automoe::cli
