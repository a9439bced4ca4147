#pragma once
// Core's records that travel in the widgets' queued signals (worker thread to GUI), declared to
// Qt's meta-type system once, before any signal or slot that carries them is compiled.
#include <QMetaType>

#include "arch/arch_config.h"
#include "pipeline/pipeline_job.h"
#include "train/train_result.h"
#include "train/training_observer.h"

Q_DECLARE_METATYPE(automoe::ArchConfig)
Q_DECLARE_METATYPE(automoe::TrainStepStats)
Q_DECLARE_METATYPE(automoe::ValidationStats)
Q_DECLARE_METATYPE(automoe::TrainResult)
Q_DECLARE_METATYPE(automoe::PipelineResult)
