#pragma once
// A model folder written by SubnetExporter, loaded back as a standalone SuperTransformer: the
// shape and options come from the safetensors metadata and must agree with model_card.json and
// arch.json; every parameter and buffer of that model must be in the file with its exact shape,
// and the file must hold nothing else. Every refusal is a ConfigError naming the file (and
// tensor or field).
#include <string>

#include <ATen/ATen.h>

#include "arch/arch_config.h"
#include "export/model_card.h"
#include "model/super_transformer.h"

namespace automoe {

class ExportedModel {
 public:
  // The model is in eval mode on `device`.
  static ExportedModel load(const std::string& dir, at::Device device = at::kCPU);

  const ModelCard& card() const { return m_card; }
  const ArchConfig& arch() const { return m_card.arch; }
  const SuperTransformerImpl& model() const { return *m_model; }
  SuperTransformer& modelHolder() { return m_model; }
  const std::string& dir() const { return m_dir; }
  // The SentencePiece model copied into the folder (the first tokenizer file ending in .model).
  // Throws ConfigError when the card lists none.
  std::string tokenizerModel() const;

 private:
  ExportedModel(std::string dir, ModelCard card, SuperTransformer model)
      : m_dir(std::move(dir)), m_card(std::move(card)), m_model(std::move(model)) {}

  std::string m_dir;
  ModelCard m_card;
  SuperTransformer m_model;
};

}  // namespace automoe
