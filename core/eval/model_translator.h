#pragma once
// An exported model folder loaded for translation, its tokenizer checked against the model: what
// `automoe translate` and the GUI translate with. Loading happens once, in the constructor; each
// translate() call runs a beam search over its lines. Torch-free header.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arch/arch_config.h"
#include "eval/translator.h"
#include "util/stop_token.h"

namespace automoe {

class ModelTranslator {
 public:
  // Throws ConfigError for a folder that is not a model, or whose tokenizer cannot be loaded or
  // has another vocabulary than the model.
  ModelTranslator(const std::string& modelDir, TranslatorOptions options);
  ~ModelTranslator();
  ModelTranslator(ModelTranslator&&) noexcept;
  ModelTranslator& operator=(ModelTranslator&&) noexcept;

  // One translation per line; std::nullopt when stopped. A model whose scores are not finite
  // gets a ConfigError naming its weights file.
  std::optional<std::vector<std::string>> translate(const std::vector<std::string>& lines, const StopToken& stop,
                                                    const Translator::Progress& progress = {}) const;

  const ArchConfig& arch() const;
  const std::string& dir() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace automoe
