#include "export/subnet_exporter.h"

#include <unistd.h>

#include <filesystem>

#include "arch/arch_stats.h"
#include "export/safetensors_writer.h"
#include "export/tensor_codec.h"
#include "latency/latency_profiler.h"
#include "latency/provenance.h"
#include "model/subnet_extractor.h"
#include "model/super_transformer.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/stop_token.h"

namespace automoe {

namespace fs = std::filesystem;

namespace {

// Removes a folder on scope exit unless released.
class TempDir final {
 public:
  explicit TempDir(std::string path) : m_path(std::move(path)) {}
  ~TempDir() {
    std::error_code ec;
    if (!m_path.empty()) fs::remove_all(m_path, ec);
  }
  void release() { m_path.clear(); }

 private:
  std::string m_path;
};

nlohmann::json measureLatency(const SuperTransformerImpl& supernet, const SuperTransformerImpl& sub,
                              const ArchConfig& arch, const ExportOptions& o, const StopToken& stop,
                              const SubnetExporter::Log& log, bool& stopped) {
  nlohmann::json out = nlohmann::json::object();
  for (const HardwareProfile& h : o.profiles) {
    if (!o.measureLatency) {
      out[h.name] = {{"skipped", "not measured (--no-latency)"}};
      continue;
    }
    try {
      LatencyProfiler profiler(h, o.space, sub.options.model());
      profiler.setModelSeed(o.seed);
      profiler.setStopToken(&stop);
      const at::Device device(h.device);
      SuperTransformer moved{nullptr};
      const SuperTransformerImpl* model = &sub;
      if (sub.parameters().front().device() != device) {  // a copy on the profile's device
        moved = extractSubnet(supernet, arch);
        moved->to(device);
        model = moved.get();
      }
      if (log) log("measuring latency under profile " + h.name);
      const auto m = profiler.measure(*model, arch);
      if (!m) {
        stopped = true;
        return out;
      }
      nlohmann::json j = m->toJson();
      j["mean_ms"] = m->meanMs();
      j["profile"] = h.toJson();
      out[h.name] = j;
    } catch (const std::exception& e) {  // e.g. a CUDA profile on a CPU-only build
      out[h.name] = {{"skipped", e.what()}};
    }
  }
  return out;
}

// Moves `tmp` to `out`; an earlier export at `out` is replaced.
void publish(const std::string& tmp, const std::string& out) {
  if (fs::exists(out)) {
    const std::string old = out + ".old-" + std::to_string(::getpid());
    fs::rename(out, old);
    fs::rename(tmp, out);
    fs::remove_all(old);
  } else {
    fs::rename(tmp, out);
  }
}

}  // namespace

SafetensorsFile SubnetExporter::weightsFile(const SuperTransformerImpl& model, const ArchConfig& arch) {
  SafetensorsFile f;
  for (const auto& p : model.named_parameters(true)) f.tensors[p.key()] = encodeTensor(p.value());
  for (const auto& b : model.named_buffers(true)) f.tensors[b.key()] = encodeTensor(b.value());
  f.metadata["format"] = ModelCard::kFormat;
  f.metadata["format_version"] = kFormatVersion;
  f.metadata["model_shape"] = model.shape().toJson().dump();
  f.metadata["model_options"] = model.options.model().toJson().dump();
  f.metadata["arch"] = arch.toJson().dump();
  return f;
}

std::optional<ModelCard> SubnetExporter::exportSubnet(const SuperTransformerImpl& supernet,
                                                      const ArchConfig& arch, const ExportOptions& o,
                                                      const std::string& outDir, const StopToken& stop,
                                                      const Log& log) {
  if (outDir.empty()) throw ConfigError("export: empty output folder name");
  const fs::path out = fs::absolute(outDir).lexically_normal();
  if (fs::exists(out) && (!fs::is_directory(out) ||
                          (!fs::is_empty(out) && !fs::exists(out / "model_card.json"))))
    throw ConfigError(outDir + ": exists and is not an exported model folder; choose another output");
  for (const auto& t : o.tokenizerFiles)
    if (!fs::is_regular_file(t)) throw ConfigError(t + ": tokenizer file not found (run 'automoe data prepare')");

  SuperTransformer sub = extractSubnet(supernet, arch);
  ModelCard card;
  card.arch = arch;
  card.shape = sub->shape();
  card.model = sub->options.model();
  card.stats = computeArchStats(arch, card.shape.qkvDim, card.shape.vocabSize, o.statsSrcLen, o.statsTgtLen,
                                card.model.costOptions(arch))
                   .toJson();
  card.candidateId = o.candidateId;
  card.validLoss = o.validLoss;
  card.bleu = o.bleu;
  card.bleuSplit = o.bleuSplit;
  card.seed = o.seed;
  card.provenance = provenance();
  card.sourceCheckpoint = o.sourceCheckpoint;
  card.sourceStep = o.sourceStep;
  const SafetensorsFile weights = weightsFile(*sub, arch);
  for (const auto& t : weights.tensors) card.tensorNames.push_back(t.first);
  bool stopped = false;
  card.latency = measureLatency(supernet, *sub, arch, o, stop, log, stopped);
  if (stopped || stop.stopRequested()) return std::nullopt;

  fs::create_directories(out.parent_path());
  const std::string tmp = out.string() + ".tmp-" + std::to_string(::getpid());
  fs::remove_all(tmp);
  fs::create_directory(tmp);
  TempDir guard(tmp);
  writeFileAtomically(tmp + "/arch.json", arch.toJson().dump(2) + "\n");
  SafetensorsWriter::write(tmp + "/model.safetensors", weights);
  for (const auto& t : o.tokenizerFiles) {
    const std::string name = fs::path(t).filename().string();
    copyFileAtomically(t, tmp + "/" + name);
    card.tokenizerFiles.push_back(name);
  }
  writeFileAtomically(tmp + "/model_card.json", card.toJson().dump(2) + "\n");
  publish(tmp, out.string());
  guard.release();
  if (log) log("exported " + arch.summary() + " to " + out.string());
  return card;
}

}  // namespace automoe
