#include "eval/inherited_evaluator.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <nlohmann/json.hpp>

#include "data/batch.h"
#include "data/batch_planner.h"
#include "data/corpus_builder.h"
#include "data/data_preparer.h"
#include "data/token_dataset.h"
#include "data/tokenizer_client.h"
#include "eval/translator.h"
#include "model/sinusoidal_positions.h"
#include "model/super_transformer.h"
#include "project/project.h"
#include "train/label_smoothed_loss.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/json_reader.h"
#include "util/stop_token.h"

namespace automoe {

EvaluationData EvaluationData::forProject(const Project& project, const std::string& split) {
  EvaluationOptions::checkSplit(split, project.path.empty() ? "project" : project.path);
  const std::string dataDir = project.resolvePath(project.data.dir);
  // Shards or a tokenizer model changed since they were prepared: refused, not evaluated on.
  const std::string metaFile = DataPreparer::metaPath(dataDir);
  if (std::filesystem::exists(metaFile))
    if (const std::string why = DataPreparer::contentProblem(dataDir, parseJsonText(readTextFile(metaFile), metaFile));
        !why.empty())
      throw ConfigError(why);
  EvaluationData d;
  d.binDir = DataPreparer::binDir(dataDir);
  d.split = split;
  d.sourceText = CorpusBuilder::textPath(dataDir, project.data.pair, split, project.data.sourceLang());
  d.referenceText = CorpusBuilder::textPath(dataDir, project.data.pair, split, project.data.targetLang());
  d.tokenizerModel = DataPreparer::tokenizerModel(dataDir);
  d.maxTokens = project.data.maxTokens;
  d.maxPositions = project.data.maxPositions;
  return d;
}

nlohmann::json EvaluationResult::toJson() const {
  return {{"split", split},         {"sentences", sentences}, {"loss_sentences", lossSentences},
          {"target_tokens", targetTokens}, {"loss", loss},  {"nll", nll},
          {"bleu", bleu.toJson()}};
}

InheritedEvaluator::InheritedEvaluator(EvaluationData data, EvaluationOptions options, double labelSmoothing,
                                       std::string tokenizerExecutable)
    : m_data(std::move(data)),
      m_options(std::move(options)),
      m_labelSmoothing(labelSmoothing),
      m_tokenizerExecutable(std::move(tokenizerExecutable)) {}

std::optional<EvaluationResult> InheritedEvaluator::evaluate(const SuperTransformerImpl& model,
                                                             const ArchConfig& arch, const StopToken& stop,
                                                             const Log& log) const {
  model.checkFits(arch);
  if (model.is_training()) throw std::invalid_argument("InheritedEvaluator: the model must be in eval mode");
  const TokenDataset ds = TokenDataset::open(m_data.binDir, m_data.split);
  ds.checkIds(model.shape().vocabSize);
  const size_t n = m_options.maxSentences > 0 ? std::min(ds.size(), static_cast<size_t>(m_options.maxSentences))
                                              : ds.size();
  EvaluationResult r;
  r.split = m_data.split;

  // Loss, teacher-forced.
  std::vector<int64_t> lengths = ds.lengths();
  lengths.resize(n);
  const int64_t positions = std::min<int64_t>(m_data.maxPositions, model.shape().maxPositions);
  const BatchPlanner planner(lengths, m_data.maxTokens, positions);
  const at::Device device = model.parameters().front().device();
  double loss = 0, nll = 0;
  {
    const c10::InferenceMode inference;
    for (const auto& indices : planner.fixed()) {
      if (stop.stopRequested()) return std::nullopt;
      const Batch b = collateBatch(ds, indices);
      const ModelOutput out = model.forward(b.src.to(device), b.prevOutput.to(device), arch);
      const LossSums s = labelSmoothedLoss(out.logits, b.target.to(device), m_labelSmoothing, kPadIndex);
      loss += s.loss.item<double>();
      nll += s.nll.item<double>();
      r.targetTokens += s.tokens;
      r.lossSentences += static_cast<int64_t>(indices.size());
    }
  }
  r.loss = r.targetTokens ? loss / static_cast<double>(r.targetTokens) : 0;
  r.nll = r.targetTokens ? nll / static_cast<double>(r.targetTokens) : 0;
  if (log) log("loss " + std::to_string(r.loss) + " nats/token over " + std::to_string(r.lossSentences) + " sentences");

  // BLEU of beam-search translations.
  std::vector<std::string> sources = readTextLines(m_data.sourceText);
  std::vector<std::string> refs = readTextLines(m_data.referenceText);
  if (sources.size() != ds.size() || refs.size() != ds.size())
    throw ConfigError(m_data.sourceText + ": " + std::to_string(sources.size()) + " source and " +
                      std::to_string(refs.size()) + " reference lines but the " + m_data.split + " shards hold " +
                      std::to_string(ds.size()) + " sentences (run 'automoe data prepare --force')");
  sources.resize(n);
  refs.resize(n);
  const TokenizerClient tokenizer(m_data.tokenizerModel, m_tokenizerExecutable);
  if (tokenizer.vocabSize() != model.shape().vocabSize)
    throw ConfigError(m_data.tokenizerModel + ": vocabulary of " + std::to_string(tokenizer.vocabSize()) +
                      " pieces but the model has " + std::to_string(model.shape().vocabSize));
  const Translator translator(model, arch, TranslatorOptions::from(m_options));
  size_t lastReported = 0;
  const auto hyps = translator.translate(tokenizer, sources, stop, [&](size_t done, size_t total) {
    if (log && (done - lastReported >= 200 || done == total)) {
      lastReported = done;
      log("translated " + std::to_string(done) + "/" + std::to_string(total));
    }
  });
  if (!hyps) return std::nullopt;
  r.hypotheses = *hyps;
  r.sentences = static_cast<int64_t>(n);
  r.bleu = Bleu::corpus(r.hypotheses, refs);
  return r;
}

}  // namespace automoe
