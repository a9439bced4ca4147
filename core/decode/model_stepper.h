#pragma once
// DecoderStepper over a SuperTransformer's incremental decoding: one decodeStep per call, the
// encoder output and the KV caches reordered with the rows.
#include "decode/decoder_stepper.h"
#include "model/decoder_state.h"
#include "model/encoder_output.h"

namespace automoe {

struct ArchConfig;
class SuperTransformerImpl;

class ModelStepper final : public DecoderStepper {
 public:
  // `model` and `arch` must outlive the stepper. `encoder` holds one row per sentence (or per
  // row already, when the caller expanded it).
  ModelStepper(const SuperTransformerImpl& model, const ArchConfig& arch, EncoderOutput encoder);

  at::Tensor step(const at::Tensor& tokens) override;
  void reorder(const at::Tensor& order) override;
  at::Device device() const override { return m_encoder.padding.device(); }

  const DecoderState& state() const { return m_state; }

 private:
  const SuperTransformerImpl& m_model;
  const ArchConfig& m_arch;
  EncoderOutput m_encoder;
  DecoderState m_state;
};

}  // namespace automoe
