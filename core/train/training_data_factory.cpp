#include "train/training_data_factory.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "data/data_preparer.h"
#include "train/corpus_training_data.h"
#include "train/synthetic_translation_data.h"
#include "util/config_error.h"

namespace automoe {

std::shared_ptr<TrainingData> makeTrainingData(const Project& project, bool synthetic) {
  if (synthetic) {
    SyntheticCorpusOptions o;
    o.wordTypes = static_cast<int>((project.model.vocabSize - 4) / 2);
    if (o.wordTypes < 2 || 4 + 2 * o.wordTypes != project.model.vocabSize)
      throw ConfigError(project.path + ": field 'model.vocab_size': --synthetic needs an even vocabulary of "
                        "at least 8 (4 special tokens + 2 x word types)");
    o.maxTokens = project.data.maxTokens;
    o.seed = project.seed;
    return std::make_shared<SyntheticTranslationData>(o);
  }
  const std::string dataDir = project.resolvePath(project.data.dir);
  if (!std::filesystem::exists(DataPreparer::metaPath(dataDir)))
    throw ConfigError(project.path + ": no prepared corpus in " + dataDir + "; run 'automoe data all " +
                      project.path + "' first (or train on the synthetic corpus with --synthetic)");
  const nlohmann::json meta = DataPreparer::loadMeta(dataDir, project.data);  // checks pair and vocabulary
  (void)meta;
  return std::make_shared<CorpusTrainingData>(DataPreparer::binDir(dataDir), project.model.vocabSize,
                                              project.data.maxTokens, project.data.maxPositions,
                                              project.seed);
}

}  // namespace automoe
