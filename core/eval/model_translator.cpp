#include "eval/model_translator.h"

#include "data/tokenizer_client.h"
#include "export/exported_model.h"
#include "model/super_transformer.h"
#include "util/config_error.h"

namespace automoe {

struct ModelTranslator::Impl {
  Impl(const std::string& dir, const TranslatorOptions& options)
      : model(ExportedModel::load(dir)), tokenizer(model.tokenizerModel()), translator(model.model(), model.arch(), options) {}
  ExportedModel model;
  TokenizerClient tokenizer;
  Translator translator;  // refers to model's network: declared after it
};

ModelTranslator::ModelTranslator(const std::string& modelDir, TranslatorOptions options)
    : m_impl(std::make_unique<Impl>(modelDir, options)) {
  const ExportedModel& m = m_impl->model;
  int64_t vocab = 0;
  try {
    vocab = m_impl->tokenizer.vocabSize();
  } catch (const std::runtime_error& e) {  // the child could not load the model file
    throw ConfigError(m.tokenizerModel() + ": not a usable tokenizer model: " + e.what());
  }
  if (vocab != m.model().shape().vocabSize)
    throw ConfigError(m.tokenizerModel() + ": vocabulary of " + std::to_string(vocab) + " pieces, the model has " +
                      std::to_string(m.model().shape().vocabSize));
}

ModelTranslator::~ModelTranslator() = default;
ModelTranslator::ModelTranslator(ModelTranslator&&) noexcept = default;
ModelTranslator& ModelTranslator::operator=(ModelTranslator&&) noexcept = default;

std::optional<std::vector<std::string>> ModelTranslator::translate(const std::vector<std::string>& lines,
                                                                   const StopToken& stop,
                                                                   const Translator::Progress& progress) const {
  try {
    return m_impl->translator.translate(m_impl->tokenizer, lines, stop, progress);
  } catch (const ConfigError& e) {  // scores that are not finite: the model's weights are at fault
    throw ConfigError(m_impl->model.dir() + "/model.safetensors: " + e.what());
  }
}

const ArchConfig& ModelTranslator::arch() const { return m_impl->model.arch(); }
const std::string& ModelTranslator::dir() const { return m_impl->model.dir(); }

}  // namespace automoe
