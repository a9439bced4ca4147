#pragma once
// Prints `automoe run`'s progress to stderr: a line as each stage is found up to date, starts (and
// why it runs again) and ends, and within a stage what the stage's own command prints (training
// updates, latency samples, search generations), with the time left at this process's pace.
#include <cstdio>
#include <memory>
#include <string>

#include "console_observer.h"
#include "console_search_observer.h"
#include "latency/latency_sample.h"
#include "pipeline/pipeline_observer.h"
#include "project/project.h"
#include "search/search_job.h"
#include "time_left.h"
#include "train/retrain_job.h"

namespace automoe::cli {

class ConsolePipelineObserver final : public PipelineObserver {
 public:
  explicit ConsolePipelineObserver(const Project& project) : m_project(project) {}

  void onStageUpToDate(const PipelineStageEvent& s) override {
    std::fprintf(stderr, "\n[%zu/%zu] %s: %s - up to date\n", s.index + 1, s.count, s.name.c_str(), s.title.c_str());
  }
  void onStageStarted(const PipelineStageEvent& s, const std::string& why) override {
    std::fprintf(stderr, "\n[%zu/%zu] %s: %s%s\n", s.index + 1, s.count, s.name.c_str(), s.title.c_str(),
                 why.empty() ? "" : (" (" + why + ")").c_str());
    const TrainingOptions& t = s.name == "retrain" ? retrainOptionsFor(m_project, RetrainJob{}) : m_project.training;
    m_training = std::make_unique<ConsoleObserver>(t.maxUpdates, t.logEvery, false);
    m_search = std::make_unique<ConsoleSearchObserver>(searchOptionsFor(m_project, SearchJob{}).generations);
    m_timeLeft = TimeLeft();
    m_measured = 0;
  }
  void onStageDone(const PipelineStageEvent& s, double seconds) override {
    std::fprintf(stderr, "[%zu/%zu] %s: done in %.1f s\n", s.index + 1, s.count, s.name.c_str(), seconds);
  }
  void onStep(const TrainStepStats& s) override {
    if (m_training) m_training->onStep(s);
  }
  void onValidation(const ValidationStats& v) override {
    if (m_training) m_training->onValidation(v);
  }
  void onCheckpoint(const std::string& path, int64_t step) override {
    if (m_training) m_training->onCheckpoint(path, step);
  }
  void onGeneration(const GenerationReport& g, const SearchCandidate& best) override {
    if (m_search) m_search->onGeneration(g, best);
  }
  void onLatencySample(const LatencySample& s, int stored, int planned) override {
    std::fprintf(stderr, "[%d/%d] %.2f ms (cv %.1f%%, encoder %.0f%%)  %s left  %s\n", stored, planned,
                 s.measurement.meanMs(), 100 * s.measurement.total.cv, 100 * s.measurement.encoderShare(),
                 m_timeLeft.after(++m_measured, planned - stored).c_str(), s.arch.summary().c_str());
  }
  void onMessage(const std::string& text) override { std::fprintf(stderr, "%s\n", text.c_str()); }

 private:
  const Project& m_project;
  std::unique_ptr<ConsoleObserver> m_training;
  std::unique_ptr<ConsoleSearchObserver> m_search;
  TimeLeft m_timeLeft;
  int m_measured = 0;  // latency samples measured in this stage
};

}  // namespace automoe::cli
