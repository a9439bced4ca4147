#include "train/checkpoint.h"

#include <fstream>

#include <ATen/core/grad_mode.h>
#include <ATen/core/Generator.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "model/super_transformer.h"
#include "train/slice_adam.h"
#include "util/atomic_file_writer.h"
#include "util/config_error.h"
#include "util/json_reader.h"
#include "util/zip_integrity.h"

namespace automoe {

namespace {

// `verify`: check every member's CRC-32 first (a pass over the file; see zip_integrity.h). The
// header alone is read without it: a damaged header fails to parse, and loading verifies.
torch::serialize::InputArchive openArchive(const std::string& path, bool verify) {
  if (!std::ifstream(path).good()) throw ConfigError(path + ": cannot open checkpoint");
  if (verify)
    if (const std::string why = zipIntegrityProblem(path); !why.empty())
      throw ConfigError(path + ": not a readable checkpoint (corrupt or truncated): " + why);
  torch::serialize::InputArchive in;
  try {
    in.load_from(path);
  } catch (const std::exception& e) {
    std::string why = e.what();
    why = why.substr(0, why.find('\n'));
    throw ConfigError(path + ": not a readable checkpoint (corrupt or truncated): " + why);
  }
  return in;
}

nlohmann::json metaOf(torch::serialize::InputArchive& in, const std::string& path) {
  c10::IValue v;
  if (!in.try_read("meta", v) || !v.isString())
    throw ConfigError(path + ": not an AutoMoE checkpoint (no header)");
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(v.toStringRef());
  } catch (const std::exception&) {
    throw ConfigError(path + ": checkpoint header is not valid JSON");
  }
  if (valueOr(meta, "format_version", int64_t{0}) != Checkpoint::kFormatVersion)
    throw ConfigError(path + ": checkpoint format version " + valueOr(meta, "format_version", nlohmann::json()).dump() +
                      " is not supported (expected " + std::to_string(Checkpoint::kFormatVersion) + ")");
  return meta;
}

}  // namespace

void Checkpoint::save(const std::string& path, const SuperTransformerImpl& model, const SliceAdam* adam,
                      nlohmann::json meta) {
  torch::serialize::OutputArchive out;
  meta["format_version"] = kFormatVersion;
  meta["shape"] = model.shape().toJson();
  if (adam) {
    nlohmann::json steps = nlohmann::json::object();
    for (size_t i = 0; i < adam->params().size(); ++i) {
      const auto& s = adam->states()[i];
      if (!s.expAvg.defined()) continue;
      const std::string& name = adam->params()[i].first;
      steps[name] = s.steps;
      out.write("adam.m." + name, s.expAvg);
      out.write("adam.v." + name, s.expAvgSq);
    }
    meta["adam_steps"] = steps;
  }
  for (const auto& p : model.named_parameters()) out.write("model." + p.key(), p.value());
  out.write("rng.cpu", at::detail::getDefaultCPUGenerator().get_state());
  out.write("meta", c10::IValue(meta.dump()));
  // Through a writer that never reports a short write: LibTorch's own file writer, on a full disk,
  // throws from a destructor and ends the process.
  AtomicFileWriter file(path);
  out.save_to([&file](const void* data, size_t n) { return file.write(data, n); });
  file.commit();  // throws FileWriteError naming the path; the checkpoint there before is kept
}

nlohmann::json Checkpoint::readMeta(const std::string& path) {
  torch::serialize::InputArchive in = openArchive(path, false);
  return metaOf(in, path);
}

void Checkpoint::checkShape(const std::string& path, const nlohmann::json& meta, const ModelShape& shape) {
  const nlohmann::json want = shape.toJson();
  const nlohmann::json have = valueOr(meta, "shape", nlohmann::json());
  if (have == want) return;
  const nlohmann::json patch = nlohmann::json::diff(have, want);
  const std::string where = patch.empty() ? "?" : patch[0].value("path", "?");
  throw ConfigError(path + ": checkpoint was made for a different model (its shape differs at '" + where +
                    "': checkpoint has " + (have.contains(nlohmann::json::json_pointer(where))
                                                 ? have.at(nlohmann::json::json_pointer(where)).dump()
                                                 : std::string("nothing")) +
                    ", the project needs " +
                    (want.contains(nlohmann::json::json_pointer(where)) ? want.at(nlohmann::json::json_pointer(where)).dump()
                                                                         : std::string("nothing")) +
                    ")");
}

nlohmann::json Checkpoint::load(const std::string& path, SuperTransformerImpl& model, SliceAdam* adam) {
  torch::serialize::InputArchive in = openArchive(path, true);
  nlohmann::json meta = metaOf(in, path);
  checkShape(path, meta, model.shape());
  // Everything is read and checked before anything is copied, so that a refused checkpoint leaves
  // the model and the optimizer as they were (the archive's tensors are already in memory: no
  // second copy is made).
  std::vector<std::pair<at::Tensor, at::Tensor>> weights;  // (model parameter, checkpoint tensor)
  for (auto& p : model.named_parameters()) {
    at::Tensor t;
    if (!in.try_read("model." + p.key(), t))
      throw ConfigError(path + ": checkpoint lacks parameter " + p.key());
    if (t.sizes() != p.value().sizes())
      throw ConfigError(path + ": parameter " + p.key() + " has the wrong shape");
    weights.emplace_back(p.value(), t);
  }
  std::vector<SliceAdam::State> states;
  if (adam) {
    const auto steps = valueOr(meta, "adam_steps", nlohmann::json::object());
    for (size_t i = 0; i < adam->params().size(); ++i) {
      const std::string& name = adam->params()[i].first;
      SliceAdam::State s;
      if (steps.contains(name)) {
        if (!in.try_read("adam.m." + name, s.expAvg) || !in.try_read("adam.v." + name, s.expAvgSq))
          throw ConfigError(path + ": checkpoint lacks optimizer state of " + name);
        const auto want = adam->params()[i].second.sizes();
        if (s.expAvg.sizes() != want || s.expAvgSq.sizes() != want)
          throw ConfigError(path + ": optimizer state of " + name + " has the wrong shape");
        s.steps = steps.at(name).get<int64_t>();
      }
      states.push_back(std::move(s));
    }
  }
  at::NoGradGuard noGrad;
  for (auto& w : weights) w.first.copy_(w.second);
  if (adam)
    for (size_t i = 0; i < states.size(); ++i) adam->states()[i] = std::move(states[i]);
  at::Tensor rng;
  if (in.try_read("rng.cpu", rng)) {
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    gen.set_state(rng);
  }
  return meta;
}

}  // namespace automoe
