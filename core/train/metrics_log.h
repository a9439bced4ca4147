#pragma once
// The run folder's metrics.jsonl (one JSON line per logged update or validation, each with its
// "step") kept to the run's own history: a run that starts at update `step` (0 for a new or
// --fresh run, the checkpoint's update on resume) first drops every line past it. Without this a
// fresh run appended to the old run's lines, and a run resumed after a crash logged the updates
// between its checkpoint and the crash twice (measured: SIGKILL 4 updates after a checkpoint,
// then resume: 4 duplicated steps). Lines that do not parse (one cut short by the crash) go too.
#include <cstdint>
#include <string>

namespace automoe {

// Rewrites `path` (atomically) without the lines past `step`; returns how many were dropped.
// A missing file is left missing.
int64_t trimMetricsLog(const std::string& path, int64_t step);

}  // namespace automoe
