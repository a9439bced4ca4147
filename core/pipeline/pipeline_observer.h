#pragma once
// What `automoe run`'s pipeline reports while it runs: each stage as it is found up to date,
// started and finished, and the stages' own progress. It is a TrainingObserver (the supernet and
// retraining stages report their updates, validations and checkpoints through it) and a
// SearchObserver (the search stage's candidates and generations); every stage's progress lines go
// to onMessage. Called on the pipeline's thread; keep implementations cheap.
#include <cstddef>
#include <string>

#include "search/search_observer.h"
#include "train/training_observer.h"

namespace automoe {

struct LatencySample;

// One stage of a running pipeline: its place in the plan, its name ("corpus", "supernet", ...) and
// one-line title.
struct PipelineStageEvent {
  size_t index = 0;  // 0-based
  size_t count = 0;  // stages in the plan
  std::string name;
  std::string title;
};

class PipelineObserver : public TrainingObserver, public SearchObserver {
 public:
  // The stage completed earlier with the same inputs and its outputs are as it left them.
  virtual void onStageUpToDate(const PipelineStageEvent& /*stage*/) {}
  // The stage starts; `why` says why it runs again when it had run before ("resuming", "inputs
  // changed: starting over", "its output F changed since it ran: running it again"), else "".
  virtual void onStageStarted(const PipelineStageEvent& /*stage*/, const std::string& /*why*/) {}
  virtual void onStageDone(const PipelineStageEvent& /*stage*/, double /*seconds*/) {}
  // The latency stage measured a subnet: the plan entries stored so far, of `planned`.
  virtual void onLatencySample(const LatencySample& /*sample*/, int /*stored*/, int /*planned*/) {}
  // Every stage's progress lines, and the training and search notes.
  void onMessage(const std::string& /*text*/) override {}
};

}  // namespace automoe
