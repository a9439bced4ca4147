// Translator and InheritedEvaluator on a tiny tokenizer, corpus and model: evaluating a subnet on
// the supernet gives exactly what its exported standalone model gives; the loss equals a
// sentence-by-sentence computation; translations do not depend on batching; bad data is refused.
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <ATen/core/grad_mode.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "data/binarizer.h"
#include "data/tokenizer_client.h"
#include "decode/beam_search.h"
#include "decode/model_stepper.h"
#include "eval/inherited_evaluator.h"
#include "eval/translator.h"
#include "export/exported_model.h"
#include "export/subnet_exporter.h"
#include "model/sinusoidal_positions.h"
#include "support/ddtp_fixture.h"
#include "support/tiny_space.h"
#include "train/label_smoothed_loss.h"
#include "train/training_data.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/rng.h"
#include "util/stop_token.h"

using namespace automoe;
namespace fs = std::filesystem;

class TestInheritedEvaluator final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  SearchSpace m_space = test::tinySpace();
  ModelOptions m_options = test::tinyModelOptions();
  SuperTransformer m_net{nullptr};
  EvaluationData m_data;
  std::vector<std::string> m_src, m_ref;
  static constexpr int64_t kVocab = 90;

  std::string path(const char* name) const { return m_dir.filePath(name).toStdString(); }

  EvaluationOptions evalOptions() const {
    EvaluationOptions e;
    e.beam = 3;
    e.batchSize = 4;
    e.maxLenA = 1.0;
    e.maxLenB = 4;
    return e;
  }

 private Q_SLOTS:
  void initTestCase() {
    uint64_t state = 7;
    std::string en, de, trainText;
    for (int i = 0; i < 150; ++i) {
      const std::string s = automoe::testing::randomSentence(state, 3 + i % 6);
      trainText += s + "\n" + automoe::testing::fakeTranslate(s) + "\n";
      if (i < 11) {
        m_src.push_back(s);
        m_ref.push_back(automoe::testing::fakeTranslate(s));
        en += s + "\n";
        de += m_ref.back() + "\n";
      }
    }
    writeFileAtomically(path("train.txt"), trainText);
    writeFileAtomically(path("test.en"), en);
    writeFileAtomically(path("test.de"), de);
    TokenizerTrainOptions t;
    t.inputs = {path("train.txt")};
    t.modelPrefix = path("spm");
    t.vocabSize = kVocab;
    QCOMPARE(TokenizerClient::train(t, AUTOMOE_TOKENIZER), kVocab);
    const TokenizerClient tok(path("spm.model"), AUTOMOE_TOKENIZER);
    fs::create_directories(path("bin"));
    const StopToken stop;
    Binarizer::binarizeFile(tok, path("test.en"), path("bin") + "/test.src", stop);
    Binarizer::binarizeFile(tok, path("test.de"), path("bin") + "/test.tgt", stop);
    m_data = {path("bin"), "test", path("test.en"), path("test.de"), path("spm.model"), 64, 64};
    m_options.vocabSize = kVocab;
    at::manual_seed(4);
    m_net = SuperTransformer(SuperTransformerOptions(ModelShape::forSupernet(m_space, m_options), m_options));
    m_net->eval();
    // A random model with tied embeddings predicts EOS at once (its first decoder input is EOS):
    // with EOS's embedding row zeroed it emits real tokens until max length instead.
    at::NoGradGuard noGrad;
    m_net->embed_tokens->weight[kEosIndex].zero_();
  }

  void maxLenFollowsFairseq() {
    TranslatorOptions o;  // a = 1.2, b = 10
    const Translator t(*m_net, m_space.smallest(), o);
    QCOMPARE(t.maxLenFor(10), 23);  // int(1.2 * 10 + 10) = 22 tokens + EOS
    QCOMPARE(t.maxLenFor(7), 19);   // int(18.4) = 18 + EOS
    QCOMPARE(t.maxLenFor(60), 64);  // capped by the model's 64 positions
  }

  void translationsDoNotDependOnBatching() {
    const TokenizerClient tok(path("spm.model"), AUTOMOE_TOKENIZER);
    Rng rng(12);
    const ArchConfig arch = m_space.sample(rng);
    TranslatorOptions one = TranslatorOptions::from(evalOptions());
    one.batchSize = 1;
    TranslatorOptions many = one;
    many.batchSize = 4;
    const StopToken stop;
    const auto ids = tok.encode(m_src);
    const auto a = Translator(*m_net, arch, one).translateIds(ids, stop);
    const auto b = Translator(*m_net, arch, many).translateIds(ids, stop);
    QVERIFY(a && b);
    QCOMPARE(*a, *b);
    QVERIFY(std::any_of(a->begin(), a->end(), [](const auto& h) { return !h.empty(); }));  // not all EOS
    // Sentence 0 by hand: beam search over the model on its own, EOS dropped.
    at::Tensor src = at::empty({1, static_cast<int64_t>(ids[0].size()) + 1}, at::kLong);
    for (size_t t = 0; t < ids[0].size(); ++t) src[0][static_cast<int64_t>(t)] = ids[0][t];
    src[0][static_cast<int64_t>(ids[0].size())] = kEosIndex;
    BeamSearchOptions bo;
    bo.beam = one.beam;
    bo.lenPenalty = one.lenPenalty;
    bo.maxLen = Translator(*m_net, arch, one).maxLenFor(src.size(1));
    at::NoGradGuard noGrad;
    ModelStepper stepper(*m_net, arch, m_net->encode(src, arch));
    std::vector<int32_t> expected;
    const BeamSearchResult single = BeamSearch(bo).run(stepper, 1);
    for (int64_t t : single.sentences[0][0].tokens)
      if (t != kEosIndex) expected.push_back(static_cast<int32_t>(t));
    QCOMPARE((*a)[0], expected);
    for (size_t i = 0; i < ids.size(); ++i)
      QVERIFY(static_cast<int>((*a)[i].size()) < Translator(*m_net, arch, one).maxLenFor(int64_t(ids[i].size()) + 1) + 1);
    // Text in, text out: the decoded ids.
    const auto text = Translator(*m_net, arch, many).translate(tok, m_src, stop);
    QCOMPARE(*text, tok.decode(*a));
  }

  void supernetAndExportedModelAgree() {
    Rng rng(31);
    const ArchConfig arch = m_space.sample(rng);
    const InheritedEvaluator ev(m_data, evalOptions(), 0.1, AUTOMOE_TOKENIZER);
    const StopToken stop;
    const auto onSuper = ev.evaluate(*m_net, arch, stop);
    ExportOptions o;
    o.space = m_space;
    o.measureLatency = false;
    o.tokenizerFiles = {path("spm.model")};
    SubnetExporter::exportSubnet(*m_net, arch, o, path("exported"), stop);
    const ExportedModel m = ExportedModel::load(path("exported"));
    EvaluationData d = m_data;
    d.tokenizerModel = m.tokenizerModel();
    const auto onExport = InheritedEvaluator(d, evalOptions(), 0.1, AUTOMOE_TOKENIZER).evaluate(m.model(), m.arch(), stop);
    QVERIFY(onSuper && onExport);
    QCOMPARE(onSuper->sentences, int64_t{11});
    QCOMPARE(onSuper->lossSentences, int64_t{11});
    QVERIFY(std::abs(onSuper->loss - onExport->loss) < 1e-5);
    QVERIFY(std::abs(onSuper->nll - onExport->nll) < 1e-5);
    QCOMPARE(onSuper->hypotheses, onExport->hypotheses);
    QCOMPARE(onSuper->bleu.score, onExport->bleu.score);
    QCOMPARE(onSuper->bleu.refLen, Bleu::corpus(m_ref, m_ref).refLen);  // the references were scored
    // A random model: loss near log(V) (between half and twice of it), nll >= 0.
    QVERIFY(onSuper->nll > 0.5 * std::log(double(kVocab)) && onSuper->nll < 2 * std::log(double(kVocab)));
  }

  void lossEqualsSentenceBySentence() {
    Rng rng(44);
    const ArchConfig arch = m_space.sample(rng);
    const TokenizerClient tok(path("spm.model"), AUTOMOE_TOKENIZER);
    const auto src = tok.encode(m_src);
    const auto tgt = tok.encode(m_ref);
    double loss = 0;
    int64_t tokens = 0;
    at::NoGradGuard noGrad;
    for (size_t i = 0; i < src.size(); ++i) {
      const TrainBatch b = collatePairs({std::vector<int64_t>(src[i].begin(), src[i].end())},
                                        {std::vector<int64_t>(tgt[i].begin(), tgt[i].end())});
      const LossSums s = labelSmoothedLoss(m_net->forward(b.src, b.prevOutput, arch).logits, b.target, 0.1, kPadIndex);
      loss += s.loss.item<double>();
      tokens += s.tokens;
    }
    EvaluationOptions e = evalOptions();
    const StopToken stop;
    const auto r = InheritedEvaluator(m_data, e, 0.1, AUTOMOE_TOKENIZER).evaluate(*m_net, arch, stop);
    QCOMPARE(r->targetTokens, tokens);
    QVERIFY2(std::abs(r->loss - loss / double(tokens)) < 1e-4,
             qPrintable(QString("%1 vs %2").arg(r->loss).arg(loss / double(tokens))));
    e.maxSentences = 5;
    const auto five = InheritedEvaluator(m_data, e, 0.1, AUTOMOE_TOKENIZER).evaluate(*m_net, arch, stop);
    QCOMPARE(five->sentences, int64_t{5});
    QCOMPARE(five->lossSentences, int64_t{5});
    QCOMPARE(five->hypotheses.size(), size_t{5});
    QVERIFY(five->targetTokens < tokens);
  }

  void refusesBadInput() {
    const ArchConfig arch = m_space.smallest();
    const StopToken stop;
    EvaluationData d = m_data;
    d.referenceText = path("short.de");
    writeFileAtomically(d.referenceText, m_ref[0] + "\n");
    try {
      InheritedEvaluator(d, evalOptions(), 0.1, AUTOMOE_TOKENIZER).evaluate(*m_net, arch, stop);
      QFAIL("misaligned references accepted");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).contains("1 reference lines"), e.what());
    }
    d = m_data;
    d.split = "valid";  // not prepared
    QVERIFY_THROWS_EXCEPTION(ConfigError, InheritedEvaluator(d, evalOptions(), 0.1, AUTOMOE_TOKENIZER).evaluate(*m_net, arch, stop));
    m_net->train();
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             InheritedEvaluator(m_data, evalOptions(), 0.1, AUTOMOE_TOKENIZER).evaluate(*m_net, arch, stop));
    m_net->eval();
    StopToken stopped;
    stopped.requestStop();
    QVERIFY(!InheritedEvaluator(m_data, evalOptions(), 0.1, AUTOMOE_TOKENIZER).evaluate(*m_net, arch, stopped));
  }
};

QTEST_GUILESS_MAIN(TestInheritedEvaluator)
#include "test_inherited_evaluator.moc"
