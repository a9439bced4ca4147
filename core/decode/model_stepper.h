#pragma once
// DecoderStepper over a SuperTransformer's incremental decoding: one decodeStep per call; the
// self-attention caches follow the rows on every reorder. The encoder output and the projected
// encoder memory (cross-attention caches) depend only on a row's sentence, so they are reordered
// only when the rows' sentence layout changes (the first expansion to beams, finished sentences
// dropped), not on every beam step.
#include <vector>

#include "decode/decoder_stepper.h"
#include "model/decoder_state.h"
#include "model/encoder_output.h"

namespace automoe {

struct ArchConfig;
class SuperTransformerImpl;

class ModelStepper final : public DecoderStepper {
 public:
  // `model` and `arch` must outlive the stepper. `encoder` holds one row per sentence.
  ModelStepper(const SuperTransformerImpl& model, const ArchConfig& arch, EncoderOutput encoder);

  at::Tensor step(const at::Tensor& tokens) override;
  void reorder(const at::Tensor& order) override;
  at::Device device() const override { return m_encoder.padding.device(); }

  const DecoderState& state() const { return m_state; }
  const EncoderOutput& encoder() const { return m_encoder; }

 private:
  const SuperTransformerImpl& m_model;
  const ArchConfig& m_arch;
  EncoderOutput m_encoder;
  DecoderState m_state;
  std::vector<int64_t> m_rowSentence;  // sentence of every row
};

}  // namespace automoe
