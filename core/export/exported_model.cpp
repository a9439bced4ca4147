#include "export/exported_model.h"

#include <filesystem>
#include <set>

#include <ATen/core/grad_mode.h>

#include "export/safetensors_reader.h"
#include "export/subnet_exporter.h"
#include "export/tensor_codec.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/json_reader.h"

namespace automoe {

namespace fs = std::filesystem;

namespace {

const std::string& metaField(const SafetensorsFile& f, const std::string& key, const std::string& path) {
  const auto it = f.metadata.find(key);
  if (it == f.metadata.end()) throw ConfigError(path + ": '__metadata__' has no '" + key + "'");
  return it->second;
}

void loadInto(torch::OrderedDict<std::string, at::Tensor> tensors, const SafetensorsFile& file,
              const std::string& path, std::set<std::string>& used) {
  at::NoGradGuard noGrad;
  for (auto& item : tensors) {
    const auto it = file.tensors.find(item.key());
    if (it == file.tensors.end())
      throw ConfigError(path + ": tensor '" + item.key() + "' is missing (the model needs it)");
    const at::Tensor t = decodeTensor(it->second, path + ": tensor '" + item.key() + "'");
    if (t.sizes() != item.value().sizes())
      throw ConfigError(path + ": tensor '" + item.key() + "' has shape " + c10::str(t.sizes()) +
                        " but the model's shape says " + c10::str(item.value().sizes()));
    if (!t.is_floating_point())
      throw ConfigError(path + ": tensor '" + item.key() + "' has dtype " + it->second.dtype +
                        ", expected a floating-point type");
    // A trained model has no such values (training skips non-finite updates); a damaged file may.
    if (!at::isfinite(t).all().item<bool>())
      throw ConfigError(path + ": tensor '" + item.key() + "' holds NaN or infinite values (the file is damaged)");
    item.value().copy_(t);
    used.insert(item.key());
  }
}

}  // namespace

ExportedModel ExportedModel::load(const std::string& dir, at::Device device) {
  if (!fs::is_directory(dir)) throw ConfigError(dir + ": not a model folder (run 'automoe export' first)");
  const std::string cardPath = dir + "/model_card.json";
  const std::string archPath = dir + "/arch.json";
  const std::string weightsPath = dir + "/model.safetensors";
  for (const auto& p : {cardPath, archPath, weightsPath})
    if (!fs::is_regular_file(p)) throw ConfigError(p + ": missing; " + dir + " is not a complete exported model");
  ModelCard card = ModelCard::fromJson(parseJsonText(readTextFile(cardPath), cardPath), cardPath);
  const ArchConfig arch = ArchConfig::loadFile(archPath);
  if (arch != card.arch)
    throw ConfigError(archPath + ": differs from the architecture in " + cardPath);

  const SafetensorsFile file = SafetensorsReader::read(weightsPath);
  if (metaField(file, "format", weightsPath) != ModelCard::kFormat)
    throw ConfigError(weightsPath + ": '__metadata__.format' is not " + ModelCard::kFormat);
  if (metaField(file, "format_version", weightsPath) != SubnetExporter::kFormatVersion)
    throw ConfigError(weightsPath + ": unsupported '__metadata__.format_version' " +
                      metaField(file, "format_version", weightsPath));
  const std::string shapeSource = weightsPath + ": __metadata__.model_shape";
  const ModelShape shape = ModelShape::fromJson(parseJsonText(metaField(file, "model_shape", weightsPath), shapeSource),
                                                shapeSource);
  if (!(shape == card.shape)) throw ConfigError(weightsPath + ": model shape differs from " + cardPath);
  if (!(ModelShape::forSubnet(arch, shape) == shape))
    throw ConfigError(weightsPath + ": model shape is not the exact shape of the architecture in " + archPath);
  const std::string optSource = weightsPath + ": __metadata__.model_options";
  const ModelOptions options = ModelOptions::fromJson(
      JsonReader(parseJsonText(metaField(file, "model_options", weightsPath), optSource), optSource));

  SuperTransformer model(SuperTransformerOptions(shape, options));
  std::set<std::string> used;
  loadInto(model->named_parameters(true), file, weightsPath, used);
  loadInto(model->named_buffers(true), file, weightsPath, used);
  for (const auto& t : file.tensors)
    if (!used.count(t.first))
      throw ConfigError(weightsPath + ": tensor '" + t.first + "' is not part of the model");
  model->to(device);
  model->eval();
  return ExportedModel(dir, std::move(card), std::move(model));
}

std::string ExportedModel::tokenizerModel() const {
  for (const auto& f : m_card.tokenizerFiles)
    if (f.size() > 6 && f.compare(f.size() - 6, 6, ".model") == 0) return m_dir + "/" + f;
  throw ConfigError(m_dir + "/model_card.json: lists no tokenizer model (*.model)");
}

}  // namespace automoe
