#include "export/project_models.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "data/data_preparer.h"
#include "train/checkpoint.h"
#include "util/config_error.h"

namespace automoe {

Supernet loadSupernet(const Project& p) {
  Supernet s;
  s.checkpoint = p.resolvePath(p.training.runDir) + "/checkpoint_last.pt";
  if (!std::filesystem::exists(s.checkpoint))
    throw ConfigError(s.checkpoint + ": supernet checkpoint not found (run 'automoe train " + p.path + "' first)");
  s.model = SuperTransformer(SuperTransformerOptions(ModelShape::forSupernet(p.space, p.model), p.model));
  const nlohmann::json meta = Checkpoint::load(s.checkpoint, *s.model, nullptr);
  s.step = meta.value("step", int64_t{-1});
  s.model->eval();
  return s;
}

ExportOptions exportOptionsFor(const Project& p, bool measureLatency) {
  ExportOptions o;
  o.space = p.space;
  o.profiles = p.hardwareProfiles;
  o.measureLatency = measureLatency;
  o.seed = p.seed;
  const std::string spm = DataPreparer::tokenizerModel(p.resolvePath(p.data.dir));
  o.tokenizerFiles = {spm};
  const std::string vocab = spm.substr(0, spm.size() - 6) + ".vocab";
  if (std::filesystem::exists(vocab)) o.tokenizerFiles.push_back(vocab);
  return o;
}

}  // namespace automoe
