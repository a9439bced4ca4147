#include "training_data_factory.h"

#include "train/synthetic_translation_data.h"
#include "util/config_error.h"

namespace automoe::cli {

std::shared_ptr<TrainingData> makeTrainingData(const Project& project, const TrainingOptions& options,
                                               bool synthetic) {
  if (synthetic) {
    SyntheticCorpusOptions o;
    o.wordTypes = static_cast<int>((project.model.vocabSize - 4) / 2);
    if (o.wordTypes < 2 || 4 + 2 * o.wordTypes != project.model.vocabSize)
      throw ConfigError(project.path + ": field 'model.vocab_size': --synthetic needs an even vocabulary of "
                        "at least 8 (4 special tokens + 2 x word types)");
    o.maxTokens = options.maxTokens;
    o.seed = project.seed;
    return std::make_shared<SyntheticTranslationData>(o);
  }
  throw ConfigError(project.path + ": no prepared corpus; run 'automoe data build' and 'automoe data prepare' "
                    "first, or train on the synthetic corpus with --synthetic");
}

}  // namespace automoe::cli
