// automoe export | translate | evaluate
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "arch/arch_config.h"
#include "arg_parser.h"
#include "cli_app.h"
#include "commands.h"
#include "data/data_preparer.h"
#include "data/tokenizer_client.h"
#include "eval/inherited_evaluator.h"
#include "eval/model_evaluation.h"
#include "eval/model_translator.h"
#include "eval/translator.h"
#include "export/export_job.h"
#include "export/exported_model.h"
#include "export/subnet_exporter.h"
#include "latency/provenance.h"
#include "model/super_transformer.h"
#include "project/project.h"
#include "search/search_history.h"
#include "export/project_models.h"
#include "util/stop_signal_scope.h"
#include "train/checkpoint.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/json_reader.h"

namespace automoe::cli {

namespace fs = std::filesystem;

namespace {

struct Candidate {
  ArchConfig arch;
  std::optional<int64_t> id;
  std::optional<double> fitness;  // validation loss from the search
};

// Candidate `id` of the project's search history (<search.run_dir>/history.jsonl).
Candidate findCandidate(const Project& p, const std::string& idText) {
  int64_t id = 0;
  try {
    size_t used = 0;
    id = std::stoll(idText, &used);
    if (used != idText.size() || id < 0) throw std::invalid_argument("");
  } catch (const std::exception&) {
    throw UsageError("option --candidate: expected a non-negative integer, got '" + idText + "'");
  }
  const std::string path = p.resolvePath(p.search.runDir) + "/history.jsonl";
  if (!fs::exists(path)) throw ConfigError(path + ": search history not found (run 'automoe search " + p.path + "' first)");
  const SearchHistory h = SearchHistory::load(path);
  if (id >= static_cast<int64_t>(h.candidates().size()))
    throw ConfigError(path + ": no candidate with id " + idText + " (the history has " +
                      std::to_string(h.candidates().size()) + ")");
  const SearchCandidate& c = h.candidates()[static_cast<size_t>(id)];
  c.arch.requireIn(p.space, path + " (candidate " + idText + ")");
  return {c.arch, id, c.fitness};
}

Candidate archFromFlags(const Project& p, const ArgParser& ap, bool allowModel) {
  const int given = ap.has("candidate") + ap.has("arch") + (allowModel && ap.has("model"));
  if (given != 1)
    throw UsageError(allowModel ? "give exactly one of --arch, --candidate and --model"
                                : "give exactly one of --candidate and --arch");
  if (ap.has("candidate")) return findCandidate(p, ap.value("candidate", ""));
  const std::string path = ap.value("arch", "");
  return {ArchConfig::loadValidated(path, p.space), std::nullopt, std::nullopt};
}

void printResult(const EvaluationResult& r) {
  std::printf("split          %s (%lld sentences; loss over %lld, %lld target tokens)\n", r.split.c_str(),
              static_cast<long long>(r.sentences), static_cast<long long>(r.lossSentences),
              static_cast<long long>(r.targetTokens));
  std::printf("loss           %.4f nats/token (label-smoothed), nll %.4f, perplexity %.2f\n", r.loss, r.nll,
              std::exp(r.nll));
  std::printf("%s\n", r.bleu.format().c_str());
  std::printf("signature      %s\n", r.bleu.signature.c_str());
}

void logLine(const std::string& s) { std::fprintf(stderr, "%s\n", s.c_str()); }

}  // namespace

int exportModel(const Args& args) {
  ArgParser ap(args, {"candidate", "arch"}, {"no-latency"});
  ap.expectPositional({"PROJECT", "OUT"});
  const Project p = Project::load(ap.positional()[0]);
  const Candidate c = archFromFlags(p, ap, false);
  ExportJob job;
  job.outDir = ap.positional()[1];
  job.measureLatency = !ap.has("no-latency");
  job.candidateId = c.id;
  job.validLoss = c.fitness;
  StopToken stop;
  StopSignalScope signals(stop);
  const auto card = runExportJob(p, c.arch, job, stop, logLine);
  if (!card) {
    std::fprintf(stderr, "automoe: stopped; nothing written\n");
    return kExitInterrupted;
  }
  std::printf("exported       %s\n", c.arch.summary().c_str());
  std::printf("folder         %s\n", ap.positional()[1].c_str());
  std::printf("parameters     %lld total, %.0f active\n", static_cast<long long>(card->stats.value("total_params", int64_t{0})),
              card->stats.value("active_params", 0.0));
  for (const auto& [name, l] : card->latency.items())
    if (l.contains("mean_ms")) std::printf("latency        %s: %.2f ms\n", name.c_str(), l.at("mean_ms").get<double>());
  return kExitOk;
}

int translate(const Args& args) {
  ArgParser ap(args, {"model", "beam", "lenpen", "max-len-a", "max-len-b", "batch-size"}, {});
  ap.expectPositional({});
  if (!ap.has("model")) throw UsageError("--model DIR is required");
  TranslatorOptions o;
  o.beam = static_cast<int>(ap.intValue("beam", o.beam, 1, 64));
  o.lenPenalty = ap.doubleValue("lenpen", o.lenPenalty, 0, 10);
  o.maxLenA = ap.doubleValue("max-len-a", o.maxLenA, 0, 100);
  o.maxLenB = static_cast<int>(ap.intValue("max-len-b", o.maxLenB, 0, 100000));
  o.batchSize = static_cast<int>(ap.intValue("batch-size", o.batchSize, 1, 4096));
  const ModelTranslator translator(ap.value("model", ""), o);  // checked before reading the input
  std::vector<std::string> lines;
  for (std::string l; std::getline(std::cin, l);) lines.push_back(l);
  StopToken stop;
  StopSignalScope signals(stop);
  size_t reported = 0;
  const std::optional<std::vector<std::string>> out =
      translator.translate(lines, stop, [&](size_t done, size_t total) {
        if (done != total && done - reported < std::max<size_t>(1, total / 20)) return;
        reported = done;
        std::fprintf(stderr, "translated %zu/%zu\n", done, total);
      });
  if (!out) return kExitInterrupted;
  for (const auto& l : *out) std::printf("%s\n", l.c_str());
  return kExitOk;
}

int evaluate(const Args& args) {
  ArgParser ap(args, {"arch", "candidate", "model", "split", "max-sentences"}, {"json"});
  ap.expectPositional({"PROJECT"});
  const Project p = Project::load(ap.positional()[0]);
  EvaluationOptions eo = p.evaluation;
  eo.split = ap.value("split", eo.split);
  if (eo.split != "test" && eo.split != "valid")
    throw UsageError("option --split: expected test or valid, got '" + eo.split + "'");
  eo.maxSentences = ap.intValue("max-sentences", eo.maxSentences, 0, 100000000);
  const bool fromModel = ap.has("model");
  std::optional<Candidate> c;
  if (!fromModel) c = archFromFlags(p, ap, true);
  else if (ap.has("arch") || ap.has("candidate")) throw UsageError("give exactly one of --arch, --candidate and --model");

  StopToken stop;
  StopSignalScope signals(stop);
  nlohmann::json record;
  std::optional<EvaluationResult> r;
  if (fromModel) {
    const std::optional<ModelEvaluation> e = evaluateModelFolder(p, ap.value("model", ""), eo, stop, logLine);
    if (e) r = e->result, record = e->record;
  } else {
    const EvaluationData data = EvaluationData::forProject(p, eo.split);
    record = evaluationRecord(p, eo);
    const Supernet s = loadSupernet(p);
    record["source"] = {{"checkpoint", s.checkpoint}, {"step", s.step}};
    record["arch"] = c->arch.toJson();
    if (c->id) record["candidate_id"] = *c->id;
    logLine("evaluating " + c->arch.summary() + " with supernet weights (update " + std::to_string(s.step) +
            ") on " + eo.split);
    r = InheritedEvaluator(data, eo, p.training.labelSmoothing).evaluate(*s.model, c->arch, stop, logLine);
    if (r) record["result"] = r->toJson();
  }
  if (!r) {
    std::fprintf(stderr, "automoe: stopped\n");
    return kExitInterrupted;
  }
  if (ap.has("json")) {
    std::printf("%s\n", record.dump(2).c_str());
    return kExitOk;
  }
  printResult(*r);
  return kExitOk;
}

}  // namespace automoe::cli
