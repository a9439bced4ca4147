#pragma once
// `automoe run PROJECT` as a job the CLI and the GUI share: the whole AutoMoE pipeline (the stages
// of pipeline_plan.h) in order, each stage run through the core job of the same name. A stage is
// skipped when its outputs are up to date (same input fingerprint, its outputs and the files of the
// stages before it as they were when it completed), resumed when it was interrupted, run again when
// its outputs changed, and started over when its inputs changed. The state lives in
// <project dir>/runs/pipeline.json (saved after every change: a stop or crash loses nothing that
// completed); one pipeline per project runs at a time. Torch-free header.
#include <string>
#include <vector>

#include "pipeline/pipeline_observer.h"
#include "util/stop_token.h"

namespace automoe {

struct Project;

// <project dir>/runs/pipeline.json
std::string pipelineStatePath(const Project& project);

// The hardware profile the pipeline measures and searches under: search.profile, else the first.
std::string pipelineProfile(const Project& project);

// Where a stage stands, as a run would find it now.
enum class PipelineStageState {
  NotRun,       // never started
  UpToDate,     // completed with these inputs, outputs unchanged: a run skips it
  Interrupted,  // started with these inputs but not completed: a run resumes it
  Outdated,     // completed, but a file it wrote or read changed since, or an output is missing
  Changed,      // its inputs (project sections, or a stage before it) changed: a run starts it over
};

struct PipelineStageStatus {
  std::string name;
  std::string title;
  PipelineStageState state = PipelineStageState::NotRun;
  std::string detail;         // why Outdated (the file), else ""
  double seconds = 0;         // how long its last completed run took (0: none)
  std::string finishedAt;     // UTC time of its last completed run ("" when none)
  std::vector<std::string> outputs;  // the files a completed run promises
};

// Every stage's state, read from the state file without changing it. Throws ConfigError for a
// damaged state file or an unknown search profile.
std::vector<PipelineStageStatus> pipelineStatus(const Project& project);

enum class PipelineStatus { Completed, Stopped, Diverged, Failed };

struct PipelineResult {
  PipelineStatus status = PipelineStatus::Completed;
  std::string stage;      // the stage that stopped, diverged or failed ("" when completed)
  std::string message;    // one line: what happened, and what to do about it
  double seconds = 0;     // this run, all stages
  std::string statePath;  // runs/pipeline.json
  std::string modelDir;   // the retrained model folder (when completed)
};

// Runs the pipeline of `project` (loaded from its file: the stages resolve paths against it).
// Stopping ends the running stage the way its own job stops (every completed update, sample and
// candidate kept) and returns Stopped; running it again resumes there. Throws ConfigError for a
// bad project or state file, a pipeline of the same project already running (runs/pipeline.json
// in use) and whatever a stage refuses (missing data, a checkpoint of another space ...).
PipelineResult runPipelineJob(const Project& project, const StopToken& stop, PipelineObserver& observer);

// `automoe run --trial`: writes the trial project (trial_project.h) of the project at
// `projectPath`, checked before anything is written, and returns its path.
std::string writeTrialProject(const std::string& projectPath);

}  // namespace automoe
