// automoe latency measure | dataset | train | predict
#include <csignal>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "arch/arch_config.h"
#include "arg_parser.h"
#include "cli_app.h"
#include "commands.h"
#include "latency/latency_dataset.h"
#include "latency/latency_dataset_runner.h"
#include "latency/latency_features.h"
#include "latency/latency_job.h"
#include "latency/latency_paths.h"
#include "latency/latency_predictor.h"
#include "latency/latency_profiler.h"
#include "latency/provenance.h"
#include "project/project.h"
#include "util/stop_signal_scope.h"
#include "util/config_error.h"
#include "util/stop_token.h"

#include "time_left.h"

namespace automoe::cli {

namespace {

const HardwareProfile& profileOf(const Project& p, const ArgParser& ap) {
  return findHardwareProfile(p.hardwareProfiles, ap.value("profile", ""), p.path);
}

void printProfile(const HardwareProfile& h) {
  std::printf("profile        %s: %s, %d thread(s), batch %d, source %d tokens, %d decoder steps, "
              "beam %d (%s), %d warm-up + %d measured runs, %s time\n",
              h.name.c_str(), h.device.c_str(), h.threads, h.batchSize, h.srcLen, h.tgtLen, h.beam,
              h.protocol == "automoe" ? "AutoMoE's fixed-input protocol" : "beam search",
              h.warmup, h.runs, h.timer == "thread_cpu" ? "thread CPU" : "wall-clock");
}

}  // namespace

int latencyMeasure(const Args& args) {
  ArgParser ap(args, {"profile", "runs", "warmup"}, {"json"});
  ap.expectPositional({"PROJECT", "ARCH.json"});
  const Project p = Project::load(ap.positional()[0]);
  const ArchConfig arch = ArchConfig::loadValidated(ap.positional()[1], p.space);
  HardwareProfile h = profileOf(p, ap);
  h.runs = static_cast<int>(ap.intValue("runs", h.runs, 1, 100000));
  h.warmup = static_cast<int>(ap.intValue("warmup", h.warmup, 0, 100000));
  LatencyProfiler profiler(h, p.space, p.model);
  profiler.setModelSeed(p.seed);
  StopToken stop;
  const StopSignalScope signals(stop);
  profiler.setStopToken(&stop);
  std::fprintf(stderr, "measuring %s (%d warm-up + %d runs)...\n", arch.summary().c_str(),
               h.warmup, h.runs);
  const auto m = profiler.measure(arch);
  if (!m) {
    std::fprintf(stderr, "automoe: stopped\n");
    return kExitInterrupted;
  }
  if (ap.has("json")) {
    nlohmann::json j = m->toJson();
    j["profile"] = h.toJson();
    j["arch"] = arch.toJson();
    j["model_seed"] = p.seed;
    j["provenance"] = provenance();
    std::printf("%s\n", j.dump(2).c_str());
    return kExitOk;
  }
  std::printf("architecture   %s\n", arch.summary().c_str());
  printProfile(h);
  std::printf("latency        %.2f ms per batch (std %.2f ms, cv %.1f%%, %d of %d runs kept)\n",
              m->meanMs(), m->total.std, 100 * m->total.cv, m->total.kept, h.runs);
  std::printf("  encoder      %.2f ms (%.1f%%)\n", m->encoder.mean, 100 * m->encoderShare());
  std::printf("  decoder      %.2f ms (%.1f%%)\n", m->decoder.mean, 100 * m->decoderShare());
  if (m->hasReference())
    std::printf("reference      %.2f ms (the space's smallest subnet, timed between the runs)\n",
                m->reference.mean);
  std::printf("BLAS kernel    %s\n", blasCoreName().c_str());
  return kExitOk;
}

int latencyDataset(const Args& args) {
  ArgParser ap(args, {"profile", "samples"}, {});
  ap.expectPositional({"PROJECT"});
  const Project p = Project::load(ap.positional()[0]);
  LatencyDatasetJob job;
  job.profile = profileOf(p, ap).name;
  job.samples = static_cast<int>(ap.intValue("samples", p.latency.datasetSamples, 1, 1000000));
  StopToken stop;
  const StopSignalScope signals(stop);
  const TimeLeft timeLeft;
  int measured = 0;  // in this process
  auto progress = [&](const LatencySample& s, int stored, int planned) {
    std::string ref;
    if (s.measurement.hasReference())
      ref = ", reference " + std::to_string(static_cast<int>(s.measurement.reference.mean + 0.5)) + " ms";
    std::fprintf(stderr, "[%d/%d] %.2f ms (cv %.1f%%, encoder %.0f%%%s)  %s left  %s\n", stored, planned,
                 s.measurement.meanMs(), 100 * s.measurement.total.cv, 100 * s.measurement.encoderShare(), ref.c_str(),
                 timeLeft.after(++measured, planned - stored).c_str(), s.arch.summary().c_str());
  };
  const LatencyDatasetJobResult r = runLatencyDatasetJob(
      p, job, stop, progress, [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); });
  std::printf("%s: %zu samples (%d measured now, %d of the plan already stored)\n", r.path.c_str(), r.stored,
              r.run.measured, r.run.alreadyStored);
  if (r.run.stopped) {
    std::fprintf(stderr, "automoe: stopped; every measured sample is saved, run again to resume\n");
    return kExitInterrupted;
  }
  return kExitOk;
}

int latencyTrain(const Args& args) {
  ArgParser ap(args, {"profile", "holdout", "steps"}, {});
  ap.expectPositional({"PROJECT"});
  const Project p = Project::load(ap.positional()[0]);
  LatencyPredictorJob job;
  job.profile = profileOf(p, ap).name;
  job.holdout = ap.doubleValue("holdout", p.latency.predictor.holdout, 0.0, 0.9);
  job.steps = static_cast<int>(ap.intValue("steps", p.latency.predictor.steps, 1, 10000000));
  const LatencyFit fit =
      runLatencyPredictorJob(p, job, [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); });
  const PredictorReport& rep = fit.report;
  std::printf("predictor      %s.pt (+ .json), %zu features, ridge %g, trained in %.1f s\n",
              fit.predictorStem.c_str(), fit.features, fit.ridge, rep.seconds);
  std::printf("train (%3d)    RMSE %.2f ms  MAPE %.2f%%  Kendall tau %.3f\n", rep.train.count,
              rep.train.rmseMs, 100 * rep.train.mape, rep.train.kendallTau);
  if (rep.test.count > 0) {
    std::printf("held out (%3d) RMSE %.2f ms  MAPE %.2f%%  Kendall tau %.3f\n", rep.test.count,
                rep.test.rmseMs, 100 * rep.test.mape, rep.test.kendallTau);
    std::printf("mean predictor RMSE %.2f ms  MAPE %.2f%%  (baseline on the held-out rows)\n",
                rep.meanBaseline.rmseMs, 100 * rep.meanBaseline.mape);
  }
  if (fit.usesMachineState) {
    std::printf("machine state  input log(reference / %.2f ms): held-out rows are predicted for the "
                "state they were measured in; predictions are for the median state\n",
                fit.referenceBaselineMs);
    if (rep.test.count > 0)
      std::printf("held out, median state: RMSE %.2f ms  MAPE %.2f%%  Kendall tau %.3f\n",
                  rep.testTypical.rmseMs, 100 * rep.testTypical.mape, rep.testTypical.kendallTau);
  }
  return kExitOk;
}

int latencyPredict(const Args& args) {
  ArgParser ap(args, {"profile"}, {"json"});
  ap.expectPositional({"PROJECT", "ARCH.json"});
  const Project p = Project::load(ap.positional()[0]);
  const ArchConfig arch = ArchConfig::loadValidated(ap.positional()[1], p.space);
  const HardwareProfile& h = profileOf(p, ap);
  const std::string stem = latencyPredictorStem(p, h);
  if (!std::filesystem::exists(stem + ".json"))
    throw ConfigError(stem + ".json: no latency predictor for profile \"" + h.name +
                      "\"; run 'automoe latency train " + p.path + "' first");
  const LatencyPredictor predictor = LatencyPredictor::load(stem, p.space);
  const double ms = predictor.predictMs(arch);
  if (ap.has("json")) {
    std::printf("%s\n", nlohmann::json{{"predicted_latency_ms", ms}, {"profile", h.name}}.dump(2).c_str());
    return kExitOk;
  }
  std::printf("%.2f ms predicted (profile %s)  %s\n", ms, h.name.c_str(), arch.summary().c_str());
  return kExitOk;
}

}  // namespace automoe::cli
