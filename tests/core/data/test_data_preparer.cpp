// DataPreparer on a synthetic corpus: trains the tokenizer through the child process, writes
// shards that TokenDataset reads back as the tokenizer's ids, skips when up to date, and checks
// prepared data against the project.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <filesystem>

#include "data/corpus_builder.h"
#include "data/data_preparer.h"
#include "data/token_dataset.h"
#include "data/tokenizer_client.h"
#include "support/ddtp_fixture.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/stop_token.h"

using namespace automoe;

class TestDataPreparer final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  std::string m_data;
  DataOptions m_options;
  StopToken m_stop;

  std::vector<std::string> lines(const std::string& split, const std::string& lang) const {
    std::vector<std::string> out;
    const std::string text = readTextFile(CorpusBuilder::textPath(m_data, "en-de", split, lang));
    for (size_t s = 0, e; s < text.size(); s = e + 1) {
      e = text.find('\n', s);
      out.push_back(text.substr(s, e - s));
    }
    return out;
  }

 private Q_SLOTS:
  void initTestCase() {
    const std::string inputs = m_dir.filePath("ddtp").toStdString();
    m_data = m_dir.filePath("data").toStdString();
    std::filesystem::create_directories(inputs);
    const auto f = automoe::testing::makeDdtpFixture(120);
    writeFileAtomically(inputs + "/Translation-en", f.english);
    writeFileAtomically(inputs + "/Translation-de", f.translated);
    m_options.ddtpDir = inputs;
    m_options.validSize = 8;
    m_options.testSize = 8;
    m_options.vocabSize = 150;
  }

  void needsABuiltCorpus() {
    try {
      DataPreparer(m_options, m_data, AUTOMOE_TOKENIZER).prepare(false, m_stop);
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).contains("run 'automoe data build PROJECT' first"), e.what());
    }
  }

  void writesShardsOfTheTokenizersIds() {
    CorpusBuilder(m_options, m_data).build(false, false, m_stop);
    const PrepareReport r =
        DataPreparer(m_options, m_data, AUTOMOE_TOKENIZER).prepare(false, m_stop);
    QVERIFY(!r.upToDate);
    QCOMPARE(r.meta["vocab_size"].get<int64_t>(), int64_t{150});
    QCOMPARE(r.meta["pair"].get<std::string>(), std::string("en-de"));
    QCOMPARE(r.meta["tokenizer"]["pad_id"].get<int>(), 1);
    QCOMPARE(r.meta["tokenizer"]["eos_id"].get<int>(), 2);
    QVERIFY(!r.meta["tokenizer"]["sentencepiece"].get<std::string>().empty());  // library version
    const TokenizerClient tok(DataPreparer::tokenizerModel(m_data), AUTOMOE_TOKENIZER);
    for (const auto& split : CorpusBuilder::splits()) {
      const TokenDataset d = TokenDataset::open(DataPreparer::binDir(m_data), split);
      const auto en = lines(split, "en"), de = lines(split, "de");
      QCOMPARE(d.size(), en.size());
      QCOMPARE(r.meta["splits"][split]["sentences"].get<size_t>(), en.size());
      const auto srcIds = tok.encode(en), tgtIds = tok.encode(de);
      int64_t srcTokens = 0;
      for (size_t i = 0; i < d.size(); ++i) {
        QCOMPARE(std::vector<int32_t>(d.source(i).begin(), d.source(i).end()), srcIds[i]);
        QCOMPARE(std::vector<int32_t>(d.target(i).begin(), d.target(i).end()), tgtIds[i]);
        srcTokens += static_cast<int64_t>(srcIds[i].size());
      }
      QCOMPARE(r.meta["splits"][split]["src_tokens"].get<int64_t>(), srcTokens);
      d.checkIds(150);
      QCOMPARE(tok.decode(srcIds), en);  // decoding for translation output
    }
    QCOMPARE(DataPreparer::loadMeta(m_data, m_options), r.meta);

    // A manifest whose fields have other types (damaged, hand-edited) is refused naming the field.
    const std::string edited = m_dir.filePath("edited").toStdString();
    std::filesystem::create_directories(std::filesystem::path(DataPreparer::metaPath(edited)).parent_path());
    for (const auto& [pointer, value, field] : std::vector<std::tuple<const char*, nlohmann::json, const char*>>{
             {"/splits", "str", "field 'splits'"},
             {"/splits/valid", nlohmann::json::object(), "field 'splits.valid.sentences'"},
             {"/splits/test/max_tgt_len", "9", "field 'splits.test.max_tgt_len'"},
             {"/splits/train/tgt_tokens", -1, "field 'splits.train.tgt_tokens': negative"},
             {"/tokenizer", nullptr, "field 'tokenizer'"},
             {"/tokenizer/type", 5, "field 'tokenizer.type'"}}) {
      nlohmann::json meta = r.meta;
      meta[nlohmann::json::json_pointer(pointer)] = value;
      writeFileAtomically(DataPreparer::metaPath(edited), meta.dump());
      try {
        DataPreparer::loadMeta(edited, m_options);
        QFAIL(pointer);
      } catch (const ConfigError& e) {
        QVERIFY2(QString(e.what()).contains(QString::fromStdString(DataPreparer::metaPath(edited))), e.what());
        QVERIFY2(QString(e.what()).contains(field), e.what());
      }
    }
  }

  void skipsWhenUpToDateAndRedoesOnChange() {
    const std::string model = readTextFile(DataPreparer::tokenizerModel(m_data));
    const PrepareReport again =
        DataPreparer(m_options, m_data, AUTOMOE_TOKENIZER).prepare(false, m_stop);
    QVERIFY(again.upToDate);
    DataOptions bigger = m_options;
    bigger.vocabSize = 160;
    const PrepareReport redone =
        DataPreparer(bigger, m_data, AUTOMOE_TOKENIZER).prepare(false, m_stop);
    QVERIFY(!redone.upToDate);
    QCOMPARE(redone.meta["vocab_size"].get<int64_t>(), int64_t{160});
    // The project still says 150: the prepared data no longer matches it.
    try {
      DataPreparer::loadMeta(m_data, m_options);
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).contains("field 'vocab_size'"), e.what());
      QVERIFY2(QString(e.what()).contains("run 'automoe data prepare PROJECT'"), e.what());
    }
  }

  // A shard or the tokenizer model changed after preparing (a byte-flip fuzz trained on such
  // shards without a word): loadMeta and the evaluation data refuse it naming the file and the fix;
  // prepare sees it and prepares again, restoring the same files.
  void changedFilesAreRefusedThenPreparedAgain() {
    std::vector<std::string> logged;
    DataPreparer(m_options, m_data, AUTOMOE_TOKENIZER).prepare(true, m_stop);
    const nlohmann::json meta = DataPreparer::loadMeta(m_data, m_options);
    QCOMPARE(meta.at("content_hashes").size(), size_t{13});
    const std::string bin = DataPreparer::binDir(m_data);
    for (const std::string f : {"train.src.bin", "valid.tgt.idx", "spm.model"}) {
      const std::string path = bin + "/" + f;
      const std::string original = readTextFile(path);
      std::string damaged = original;
      damaged[damaged.size() / 2] = static_cast<char>(damaged[damaged.size() / 2] ^ 0x01);
      writeFileAtomically(path, damaged);
      try {
        DataPreparer::loadMeta(m_data, m_options);
        QFAIL(f.c_str());
      } catch (const ConfigError& e) {
        QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(path + ": its content changed since 'automoe data prepare' wrote it")),
                 e.what());
        QVERIFY2(QString(e.what()).endsWith("'automoe data prepare PROJECT --force' writes it again"), e.what());
      }
      QVERIFY(!DataPreparer::contentProblem(m_data, meta).empty());
      // Encoding and decoding check the tokenizer model alone.
      QCOMPARE(DataPreparer::contentProblem(m_data, meta, /*tokenizerOnly=*/true).empty(), f != std::string("spm.model"));
      logged.clear();
      DataPreparer(m_options, m_data, AUTOMOE_TOKENIZER, [&](const std::string& l) { logged.push_back(l); })
          .prepare(false, m_stop);
      QVERIFY(!logged.empty());
      QCOMPARE(QString::fromStdString(logged.front()),
               QString::fromStdString("prepare: " + path + ": its content changed since 'automoe data prepare' wrote it (the hash in " +
                                      DataPreparer::metaPath(m_data) + " differs); preparing again"));
      QCOMPARE(readTextFile(path), original);  // the same settings write the same bytes
      QCOMPARE(DataPreparer::contentProblem(m_data, meta), std::string());
    }
    // A missing shard is named too; data prepared before the hashes existed is taken as it is.
    std::filesystem::remove(bin + "/test.tgt.bin");
    QVERIFY(QString::fromStdString(DataPreparer::contentProblem(m_data, meta)).startsWith(QString::fromStdString(bin + "/test.tgt.bin: missing")));
    nlohmann::json older = meta;
    older.erase("content_hashes");
    QCOMPARE(DataPreparer::contentProblem(m_data, older), std::string());
    DataPreparer(m_options, m_data, AUTOMOE_TOKENIZER).prepare(false, m_stop);
    QCOMPARE(DataPreparer::contentProblem(m_data, meta), std::string());
  }

  void tooLargeVocabularyNamesTheField() {
    DataOptions huge = m_options;
    huge.vocabSize = 50000;
    try {
      DataPreparer(huge, m_data, AUTOMOE_TOKENIZER).prepare(false, m_stop);
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).startsWith("data.vocab_size: 50000 pieces cannot be learnt"),
               e.what());
    }
  }
};

QTEST_APPLESS_MAIN(TestDataPreparer)
#include "test_data_preparer.moc"
