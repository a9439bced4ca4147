#pragma once
// The trained models of a project that several commands load or write: the supernet checkpoint of
// the training run, and the export settings (tokenizer files, hardware profiles, seed) every
// exported model folder gets.
#include <cstdint>
#include <string>

#include "export/subnet_exporter.h"
#include "model/super_transformer.h"
#include "project/project.h"

namespace automoe {

struct Supernet {
  SuperTransformer model{nullptr};
  std::string checkpoint;
  int64_t step = -1;
};

// <project dir>/<training.run_dir>/checkpoint_last.pt loaded into the project's supernet (eval
// mode). ConfigError naming the path when it is missing or does not fit.
Supernet loadSupernet(const Project& p);

// Export settings of `p`: its space, hardware profiles, seed and tokenizer files.
ExportOptions exportOptionsFor(const Project& p, bool measureLatency);

}  // namespace automoe
