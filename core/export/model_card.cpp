#include "export/model_card.h"

#include "util/json_reader.h"

namespace automoe {

nlohmann::json ModelCard::toJson() const {
  nlohmann::json validation = nlohmann::json::object();
  if (validLoss) validation["loss"] = *validLoss;
  if (bleu) validation["bleu"] = *bleu, validation["bleu_split"] = bleuSplit;
  return {{"format", kFormat},
          {"format_version", kFormatVersion},
          {"candidate_id", candidateId ? nlohmann::json(*candidateId) : nlohmann::json()},
          {"arch", arch.toJson()},
          {"arch_summary", arch.summary()},
          {"model_shape", shape.toJson()},
          {"model_options", model.toJson()},
          {"stats", stats},
          {"validation", validation},
          {"latency", latency},
          {"seed", seed},
          {"provenance", provenance},
          {"source", {{"checkpoint", sourceCheckpoint}, {"step", sourceStep}}},
          {"files", {{"arch", "arch.json"}, {"weights", "model.safetensors"}, {"tokenizer", tokenizerFiles}}},
          {"tensor_naming",
           "SuperTransformer parameter/buffer names; each tensor is the subnet-sized prefix slice of "
           "the supernet tensor of the same name"},
          {"tensors", tensorNames}};
}

ModelCard ModelCard::fromJson(const nlohmann::json& j, const std::string& source) {
  JsonReader r(j, source);
  if (r.getString("format") != kFormat) r.fail("format", std::string("expected \"") + kFormat + "\"");
  if (r.getInt("format_version") != kFormatVersion)
    r.fail("format_version", "unsupported version (this build reads " + std::to_string(kFormatVersion) + ")");
  ModelCard c;
  c.arch = ArchConfig::fromJson(r.raw("arch"), source);
  c.shape = ModelShape::fromJson(r.raw("model_shape"), source);
  c.model = ModelOptions::fromJson(r.child("model_options"));
  c.stats = r.has("stats") ? r.raw("stats") : nlohmann::json::object();
  if (r.has("candidate_id") && !r.raw("candidate_id").is_null()) c.candidateId = r.getInt("candidate_id");
  if (r.has("validation")) {
    const JsonReader v = r.child("validation");
    if (v.has("loss")) c.validLoss = v.getDouble("loss");
    if (v.has("bleu")) c.bleu = v.getDouble("bleu"), c.bleuSplit = v.getString("bleu_split", "");
  }
  c.latency = r.has("latency") ? r.raw("latency") : nlohmann::json::object();
  const int64_t seed = r.getInt("seed", 0);
  if (seed < 0) r.fail("seed", "must be >= 0");
  c.seed = static_cast<uint64_t>(seed);
  c.provenance = r.has("provenance") ? r.raw("provenance") : nlohmann::json::object();
  if (r.has("source")) {
    const JsonReader s = r.child("source");
    c.sourceCheckpoint = s.getString("checkpoint", "");
    c.sourceStep = s.getInt("step", -1);
  }
  const JsonReader files = r.child("files");
  c.tokenizerFiles = files.getStringList("tokenizer");
  for (const auto& f : c.tokenizerFiles)
    if (f.empty() || f.find('/') != std::string::npos || f == "." || f == "..")
      files.fail("tokenizer", "'" + f + "' is not a plain file name inside the model folder");
  c.tensorNames = r.getStringList("tensors");
  return c;
}

}  // namespace automoe
