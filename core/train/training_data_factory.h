#pragma once
// The training data a project asks for: the prepared (binarised) corpus of its data section, or,
// when asked, the synthetic parallel corpus sized to the project's vocabulary.
#include <memory>

#include "project/project.h"
#include "train/training_data.h"

namespace automoe {

std::shared_ptr<TrainingData> makeTrainingData(const Project& project, bool synthetic);

}  // namespace automoe
