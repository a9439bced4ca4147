#include "pipeline/pipeline_job.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "arch/arch_config.h"
#include "data/corpus_builder.h"
#include "data/data_job.h"
#include "data/data_preparer.h"
#include "data/fingerprint.h"
#include "eval/model_evaluation.h"
#include "export/export_job.h"
#include "latency/hardware_profile.h"
#include "latency/latency_job.h"
#include "latency/latency_paths.h"
#include "latency/latency_sample.h"
#include "pipeline/file_stamp.h"
#include "pipeline/pipeline_plan.h"
#include "pipeline/pipeline_state.h"
#include "pipeline/trial_project.h"
#include "project/project.h"
#include "search/search_history.h"
#include "search/search_job.h"
#include "train/retrain_job.h"
#include "train/training_job.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/json_reader.h"
#include "util/run_lock.h"

namespace automoe {

namespace fs = std::filesystem;

namespace {

std::string searchResultPath(const Project& p) { return p.resolvePath(p.search.runDir) + "/result.json"; }
std::string retrainedModel(const Project& p) { return retrainedModelDir(retrainRunDir(p, RetrainJob{})); }

// Files whose presence a completed stage promises (a stage whose outputs were deleted runs again).
std::vector<std::string> stageOutputs(const std::string& name, const Project& p, const HardwareProfile& h) {
  const std::string data = p.resolvePath(p.data.dir);
  if (name == "corpus") return {CorpusBuilder::manifestPath(data)};
  if (name == "tokenizer") return {DataPreparer::metaPath(data), DataPreparer::tokenizerModel(data)};
  if (name == "supernet") return {p.resolvePath(p.training.runDir) + "/checkpoint_last.pt"};
  if (name == "latency") return {latencyDatasetPath(p, h)};
  if (name == "predictor") return {latencyPredictorStem(p, h) + ".pt"};
  if (name == "search") return {searchResultPath(p)};
  if (name == "export") return {searchModelDir(p) + "/model_card.json"};
  if (name == "retrain") return {retrainedModel(p) + "/model_card.json"};
  if (name == "evaluate") return {retrainedModel(p) + "/evaluation_" + p.evaluation.split + ".json"};
  return {};
}

bool allExist(const std::vector<std::string>& files) {
  for (const auto& f : files)
    if (!fs::exists(f)) return false;
  return true;
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

// How a stage's run ended.
struct StageEnd {
  PipelineStatus status = PipelineStatus::Completed;  // Completed: it did its work
  std::string message;                                // for the others
};

StageEnd stopped(const std::string& what) { return {PipelineStatus::Stopped, what}; }

class StageRunner {
 public:
  StageRunner(const Project& p, const HardwareProfile& h, const StopToken& stop, PipelineObserver& o)
      : m_p(p), m_h(h), m_stop(stop), m_o(o) {}

  StageEnd run(const std::string& name, bool fresh) {
    try {
      return dispatch(name, fresh);
    } catch (const std::exception& e) {
      // A job that a stop interrupts may end by throwing (the data steps' downloads and the
      // tokenizer program): a stop all the same.
      if (!m_stop.stopRequested()) throw;
      return stopped(std::string("stopped (") + e.what() + ")");
    }
  }

 private:
  void log(const std::string& line) { m_o.onMessage(line); }
  std::function<void(const std::string&)> logger() {
    return [this](const std::string& line) { log(line); };
  }

  StageEnd dispatch(const std::string& name, bool fresh) {
    if (name == "corpus") return corpus();
    if (name == "tokenizer") return tokenizer();
    if (name == "supernet") return supernet(fresh);
    if (name == "latency") return latency(fresh);
    if (name == "predictor") return predictor();
    if (name == "search") return search(fresh);
    if (name == "export") return exportModel();
    if (name == "retrain") return retrain(fresh);
    if (name == "evaluate") return evaluate();
    throw std::logic_error("unknown pipeline stage " + name);
  }

  StageEnd corpus() {
    const DataOptions o = resolvedDataOptions(m_p);
    const CorpusReport r = CorpusBuilder(o, m_p.resolvePath(o.dir), logger()).build(false, false, m_stop);
    if (m_stop.stopRequested()) return stopped("stopped while building the corpus");
    log(r.upToDate ? "corpus up to date" : "corpus built");
    return {};
  }

  StageEnd tokenizer() {
    const DataOptions o = resolvedDataOptions(m_p);
    const PrepareReport r = DataPreparer(o, m_p.resolvePath(o.dir), {}, logger()).prepare(false, m_stop);
    if (m_stop.stopRequested()) return stopped("stopped while preparing the corpus");
    log(std::string("tokenizer and shards ") + (r.upToDate ? "up to date" : "written") + ", vocabulary " +
        std::to_string(r.meta.value("vocab_size", int64_t{0})));
    return {};
  }

  // A training run's end as a stage's (`section`: where its learning rate and clipping are set).
  static StageEnd trainingEnd(const TrainResult& r, const std::string& stage, const std::string& section) {
    if (r.status == TrainStatus::Stopped) return stopped(r.message);
    if (r.status == TrainStatus::Diverged)
      return {PipelineStatus::Diverged,
              "stage '" + stage + "' diverged (the loss or its gradient was not finite); lower the learning rate (" +
                  section + ".lr.max) or set " + section + ".clip_norm in the project, then run the pipeline "
                  "again (the stage starts over with them)"};
    return {};
  }

  StageEnd supernet(bool fresh) {
    TrainingJob job;
    job.fresh = fresh;
    job.freshHint = "delete the run folder, or run 'automoe train --fresh', to start it over";
    const TrainResult r = runTrainingJob(m_p, m_p.training, job, m_stop, m_o);
    log(r.message);
    return trainingEnd(r, "supernet", "training");
  }

  StageEnd latency(bool fresh) {
    const std::string dataset = latencyDatasetPath(m_p, m_h);
    if (fresh && fs::exists(dataset)) {  // kept under another name rather than overwritten
      const std::string aside = dataset + ".replaced-" + utcTimestamp();
      fs::rename(dataset, aside);
      log("kept the previous " + dataset + " as " + aside);
    }
    LatencyDatasetJob job;
    job.profile = m_h.name;
    job.samples = m_p.latency.datasetSamples;
    const LatencyDatasetJobResult r = runLatencyDatasetJob(
        m_p, job, m_stop, [this](const LatencySample& s, int stored, int planned) { m_o.onLatencySample(s, stored, planned); },
        logger());
    log(r.path + ": " + std::to_string(r.stored) + " samples (" + std::to_string(r.run.measured) + " measured now)");
    if (r.run.stopped) return stopped("stopped; every measured sample is saved");
    return {};
  }

  StageEnd predictor() {
    LatencyPredictorJob job;
    job.profile = m_h.name;
    const LatencyFit fit = runLatencyPredictorJob(m_p, job, logger());
    char line[256];
    const auto& t = fit.report.test.count > 0 ? fit.report.test : fit.report.train;
    std::snprintf(line, sizeof line, "predictor %s.pt: %s RMSE %.2f ms, MAPE %.2f%%, Kendall tau %.3f",
                  fit.predictorStem.c_str(), fit.report.test.count > 0 ? "held-out" : "train", t.rmseMs, 100 * t.mape,
                  t.kendallTau);
    log(line);
    return {};
  }

  StageEnd search(bool fresh) {
    SearchJob job;
    job.fresh = fresh;
    const SearchJobResult r = runSearchJob(m_p, job, m_stop, m_o);
    if (r.search.status == SearchResult::Status::Stopped)
      return stopped("stopped; " + r.historyPath + " keeps every evaluated candidate");
    char line[160];
    std::snprintf(line, sizeof line, "best candidate #%d, loss %.4f nats/token: ", r.search.best.id,
                  r.search.best.fitness);
    log(line + r.search.best.arch.summary());
    return {};
  }

  StageEnd exportModel() {
    const std::string resultPath = searchResultPath(m_p);
    const nlohmann::json result = parseJsonText(readTextFile(resultPath), resultPath);
    if (!result.contains("best_id") || !result["best_id"].is_number_integer())
      throw ConfigError(resultPath + ": field 'best_id': missing or not an integer");
    const int64_t id = result["best_id"].get<int64_t>();
    const std::string historyPath = m_p.resolvePath(m_p.search.runDir) + "/history.jsonl";
    const SearchHistory h = SearchHistory::load(historyPath);
    if (id < 0 || id >= static_cast<int64_t>(h.candidates().size()))
      throw ConfigError(historyPath + ": no candidate with id " + std::to_string(id) + " (" + resultPath +
                        " names it as the best)");
    const SearchCandidate& c = h.candidates()[static_cast<size_t>(id)];
    c.arch.requireIn(m_p.space, historyPath + " (candidate " + std::to_string(id) + ")");
    ExportJob job;
    job.outDir = searchModelDir(m_p);
    job.candidateId = id;
    job.validLoss = c.fitness;
    if (!runExportJob(m_p, c.arch, job, m_stop, logger())) return stopped("stopped; nothing written");
    log("exported candidate #" + std::to_string(id) + " to " + job.outDir);
    return {};
  }

  StageEnd retrain(bool fresh) {
    const std::string archPath = searchModelDir(m_p) + "/arch.json";
    if (!fs::exists(archPath)) throw ConfigError(archPath + ": no arch.json in the exported model folder");
    const ArchConfig arch = ArchConfig::loadValidated(archPath, m_p.space);
    RetrainJob job;
    job.fresh = fresh;
    const RetrainJobResult r = runRetrainJob(m_p, arch, job, m_stop, m_o);
    log(r.train.message);
    const StageEnd end = trainingEnd(r.train, "retrain", "retrain.training");
    if (end.status != PipelineStatus::Completed) return end;
    if (r.modelDir.empty()) return {PipelineStatus::Failed, "stage 'retrain' wrote no model folder: " + r.noModel};
    return {};
  }

  StageEnd evaluate() {
    const auto e = evaluateModelFolder(m_p, retrainedModel(m_p), m_p.evaluation, m_stop, logger());
    if (!e) return stopped("stopped while evaluating");
    char line[160];
    std::snprintf(line, sizeof line, "BLEU %.2f, loss %.4f nats/token on %s (%lld sentences)", e->result.bleu.score,
                  e->result.loss, e->result.split.c_str(), static_cast<long long>(e->result.sentences));
    log(line);
    return {};
  }

  const Project& m_p;
  const HardwareProfile& m_h;
  const StopToken& m_stop;
  PipelineObserver& m_o;
};

}  // namespace

std::string pipelineStatePath(const Project& project) { return project.resolvePath("runs/pipeline.json"); }

std::string pipelineProfile(const Project& project) {
  const std::string name = project.search.profile.empty() ? project.hardwareProfiles.at(0).name : project.search.profile;
  findHardwareProfile(project.hardwareProfiles, name, project.path);  // ConfigError for an unknown name
  return name;
}

std::vector<PipelineStageStatus> pipelineStatus(const Project& project) {
  const std::string profile = pipelineProfile(project);
  const HardwareProfile& h = findHardwareProfile(project.hardwareProfiles, profile, project.path);
  PipelineState state = PipelineState::read(pipelineStatePath(project));
  std::vector<PipelineStageStatus> out;
  for (const PipelineStagePlan& s : planPipeline(project.toJson(), profile)) {
    PipelineStageStatus st;
    st.name = s.name;
    st.title = s.title;
    st.outputs = stageOutputs(s.name, project, h);
    const nlohmann::json record = state.json()["stages"].value(s.name, nlohmann::json::object());
    const nlohmann::json outputs = state.outputs(s.name);
    if (outputs.is_object()) st.seconds = outputs.value("seconds", 0.0);
    st.finishedAt = record.value("finished_at", std::string());
    switch (state.status(s.name, s.fingerprint)) {
      case PipelineState::Status::NotStarted: st.state = PipelineStageState::NotRun; break;
      case PipelineState::Status::Changed: st.state = PipelineStageState::Changed; break;
      case PipelineState::Status::Interrupted: st.state = PipelineStageState::Interrupted; break;
      case PipelineState::Status::Done: {
        std::string changed;
        for (const auto& f : st.outputs)
          if (changed.empty() && !fs::exists(f)) changed = f;
        if (changed.empty()) changed = state.changedFile(s.name, "input_stamps", project.directory());
        if (changed.empty()) changed = state.changedFile(s.name, "stamps", project.directory());
        st.state = changed.empty() ? PipelineStageState::UpToDate : PipelineStageState::Outdated;
        st.detail = changed;
        break;
      }
    }
    out.push_back(std::move(st));
  }
  return out;
}

PipelineResult runPipelineJob(const Project& p, const StopToken& stop, PipelineObserver& observer) {
  const std::string profile = pipelineProfile(p);
  const HardwareProfile& h = findHardwareProfile(p.hardwareProfiles, profile, p.path);
  PipelineResult result;
  result.statePath = pipelineStatePath(p);
  fs::create_directories(fs::path(result.statePath).parent_path());
  // One pipeline per project at a time (each stage also holds its own files while it runs).
  const RunLock pipelineLock(RunLock::forFile(result.statePath), result.statePath);
  PipelineState state = PipelineState::load(result.statePath);
  const std::vector<PipelineStagePlan> plan = planPipeline(p.toJson(), profile);
  StageRunner runner(p, h, stop, observer);
  // Keyed relative to the project's folder: the same from any working directory, and after the
  // project folder moves.
  const fs::path projectDir = fs::absolute(p.directory()).lexically_normal();
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [](std::chrono::steady_clock::time_point since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
  };
  for (size_t i = 0; i < plan.size(); ++i) {
    const PipelineStagePlan& s = plan[i];
    const PipelineStageEvent event{i, plan.size(), s.name, s.title};
    const PipelineState::Status status = state.status(s.name, s.fingerprint);
    bool fresh = status == PipelineState::Status::Changed;
    std::string why = fresh ? "inputs changed: starting over"
                            : status == PipelineState::Status::Interrupted ? "resuming" : "";
    const std::vector<std::string> outputs = stageOutputs(s.name, p, h);
    if (status == PipelineState::Status::Done && allExist(outputs)) {
      // Files rewritten since the stage completed (a command run by hand, a stage before it
      // re-run): what the stage read changed, so it starts over; what it wrote, so it runs again.
      const std::string input = state.changedFile(s.name, "input_stamps", p.directory());
      const std::string output = input.empty() ? state.changedFile(s.name, "stamps", p.directory()) : std::string();
      if (input.empty() && output.empty()) {
        observer.onStageUpToDate(event);
        continue;
      }
      fresh = !input.empty();
      why = input.empty() ? "its output " + output + " changed since it ran: running it again"
                          : input + ", which it read, changed since it ran: starting over";
    }
    if (stop.stopRequested()) {
      result.status = PipelineStatus::Stopped;
      result.stage = s.name;
      result.message = "stopped before stage '" + s.name + "'";
      result.seconds = elapsed(t0);
      return result;
    }
    observer.onStageStarted(event, why);
    state.markStarted(s.name, s.fingerprint);
    const auto ts = std::chrono::steady_clock::now();
    StageEnd end = runner.run(s.name, fresh);
    if (end.status == PipelineStatus::Completed && !allExist(outputs))
      end = {PipelineStatus::Failed, "stage '" + s.name + "' finished without its output " +
                                         (outputs.empty() ? std::string("?") : outputs.front())};
    if (end.status != PipelineStatus::Completed) {
      result.status = end.status;
      result.stage = s.name;
      result.message = end.status == PipelineStatus::Stopped
                           ? "stage '" + s.name + "' was stopped (" + end.message + "); run the pipeline again to resume it"
                           : end.message;
      result.seconds = elapsed(t0);
      return result;
    }
    const double secs = elapsed(ts);
    nlohmann::json stamps = nlohmann::json::object();
    for (const auto& f : outputs)
      stamps[fs::absolute(f).lexically_normal().lexically_relative(projectDir).string()] = FileStamp::of(f);
    state.markDone(s.name, s.fingerprint,
                   {{"files", outputs}, {"seconds", secs}, {"stamps", stamps},
                    {"input_stamps", upstreamStamps(state, plan, i)}});
    observer.onStageDone(event, secs);
  }
  result.seconds = elapsed(t0);
  result.modelDir = retrainedModel(p);
  result.message = "pipeline complete in " + std::to_string(static_cast<int>(std::lround(result.seconds))) +
                   " s; the retrained model: " + result.modelDir;
  return result;
}

std::string writeTrialProject(const std::string& projectPath) {
  const Project original = Project::load(projectPath);
  const nlohmann::json trial = trialProject(original.toJson(), original.directory());
  const std::string path = trialProjectPath(original.directory());
  Project::fromJson(trial, path);  // refuse before writing anything if the result is invalid
  fs::create_directories(fs::path(path).parent_path());
  writeFileAtomically(path, trial.dump(2) + "\n");
  return path;
}

}  // namespace automoe
