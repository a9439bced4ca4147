// TokenizerClient against the real automoe-tokenizer child process. This test process links
// LibTorch and must not load SentencePiece; everything goes through the child. Covers training
// (the model and .vocab files, a full disk), encoding, decoding and the child's errors.
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "data/special_ids.h"
#include "data/tokenizer_client.h"
#include "support/ddtp_fixture.h"
#include "support/file_size_limit.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/file_write_error.h"

using namespace automoe;

class TestTokenizerClient final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  std::vector<std::string> m_lines;
  std::string m_model;

  std::string train(const std::string& prefix, uint64_t seed) {
    TokenizerTrainOptions o;
    o.inputs = {m_dir.filePath("en.txt").toStdString(), m_dir.filePath("de.txt").toStdString()};
    o.modelPrefix = m_dir.filePath(QString::fromStdString(prefix)).toStdString();
    o.vocabSize = 120;
    o.seed = seed;
    const int64_t vocab = TokenizerClient::train(o, AUTOMOE_TOKENIZER);
    if (vocab != 120) throw std::runtime_error("unexpected vocabulary size");
    return o.modelPrefix;
  }

 private Q_SLOTS:
  void initTestCase() {
    uint64_t state = 99;
    std::string en, de;
    for (int i = 0; i < 200; ++i) {
      m_lines.push_back(automoe::testing::randomSentence(state, 5 + i % 7));
      en += m_lines.back() + "\n";
      de += automoe::testing::fakeTranslate(m_lines.back()) + "\n";
    }
    writeFileAtomically(m_dir.filePath("en.txt").toStdString(), en);
    writeFileAtomically(m_dir.filePath("de.txt").toStdString(), de);
    m_model = train("spm", 1) + ".model";
  }

  void locatesTheProgram() {
    ::setenv("AUTOMOE_TOKENIZER", "/opt/x/automoe-tokenizer", 1);
    QCOMPARE(TokenizerClient::locate(), std::string("/opt/x/automoe-tokenizer"));
    ::unsetenv("AUTOMOE_TOKENIZER");
    QCOMPARE(TokenizerClient::locate(), std::string("automoe-tokenizer"));  // not next to this test
  }

  void encodeDecodeRoundTrip() {
    const TokenizerClient tok(m_model, AUTOMOE_TOKENIZER);
    QCOMPARE(tok.vocabSize(), int64_t{120});
    const auto info = tok.info();
    QCOMPARE(info["bos_id"].get<int>(), 0);
    QCOMPARE(info["pad_id"].get<int>(), 1);
    QCOMPARE(info["eos_id"].get<int>(), 2);
    QCOMPARE(info["unk_id"].get<int>(), 3);
    std::vector<std::string> text(m_lines.begin(), m_lines.begin() + 50);
    text.push_back(automoe::testing::fakeTranslate(m_lines[3]));
    text.push_back("");                                 // empty lines survive
    text.push_back("Alpha zulu quebec unseen order.");  // a new sentence from seen characters
    const auto ids = tok.encode(text);
    QCOMPARE(ids.size(), text.size());
    QVERIFY(ids[text.size() - 2].empty());
    for (const auto& line : ids)
      for (int32_t id : line) {
        QVERIFY(id >= special_ids::kUnk && id < 120);  // never BOS, PAD or EOS
      }
    QCOMPARE(tok.decode(ids), text);
  }

  void specialIds() {
    const TokenizerClient tok(m_model, AUTOMOE_TOKENIZER);
    const auto ids = tok.encode({"Alpha ß bravo"});  // ß never occurred in training
    QVERIFY(std::find(ids[0].begin(), ids[0].end(), special_ids::kUnk) != ids[0].end());
    // Control ids decode to nothing, so padded or EOS-terminated output decodes cleanly.
    const auto plain = tok.encode({m_lines[0]})[0];
    std::vector<int32_t> decorated{special_ids::kBos};
    decorated.insert(decorated.end(), plain.begin(), plain.end());
    decorated.insert(decorated.end(), {special_ids::kEos, special_ids::kPad, special_ids::kPad});
    QCOMPARE(tok.decode({decorated}), std::vector<std::string>{m_lines[0]});
  }

  void sameSeedSameModel() {
    const std::string again = train("spm-again", 1);
    QCOMPARE(readTextFile(again + ".vocab"),
             readTextFile(m_dir.filePath("spm.vocab").toStdString()));
  }

  // The .vocab file the child writes next to the model: "piece<TAB>score" for every id, the
  // special ids first with score 0, learnt pieces with a log-probability.
  void vocabFileListsEveryPieceWithItsScore() {
    const std::vector<std::string> lines = readTextLines(m_dir.filePath("spm.vocab").toStdString());
    QCOMPARE(lines.size(), size_t(120));
    QCOMPARE(QString::fromStdString(lines[0] + "|" + lines[1] + "|" + lines[2] + "|" + lines[3]),
             QString("<s>\t0|<pad>\t0|</s>\t0|<unk>\t0"));
    std::set<std::string> pieces;
    for (size_t i = 4; i < lines.size(); ++i) {
      const size_t tab = lines[i].find('\t');
      QVERIFY2(tab != std::string::npos && tab > 0, lines[i].c_str());
      pieces.insert(lines[i].substr(0, tab));
      const double score = std::stod(lines[i].substr(tab + 1));
      QVERIFY2(score < 0, lines[i].c_str());
    }
    QCOMPARE(pieces.size(), size_t(116));
  }

  // A model the disk cannot take: a FileWriteError naming the file and the reason, and no
  // truncated model left (SentencePiece's own writer left one and reported success).
  void aFullDiskIsAFileWriteError() {
    TokenizerTrainOptions o;
    o.inputs = {m_dir.filePath("en.txt").toStdString(), m_dir.filePath("de.txt").toStdString()};
    o.modelPrefix = m_dir.filePath("full").toStdString();
    o.vocabSize = 120;
    try {
      const automoe::testing::FileSizeLimit limit(4096);  // inherited by the child
      TokenizerClient::train(o, AUTOMOE_TOKENIZER);
      QFAIL("expected FileWriteError");
    } catch (const FileWriteError& e) {
      QCOMPARE(QString(e.what()), QString::fromStdString(o.modelPrefix + ".model: cannot write: " + std::strerror(EFBIG)));
    }
    QVERIFY(!std::filesystem::exists(o.modelPrefix + ".model"));
    QVERIFY(!std::filesystem::exists(o.modelPrefix + ".vocab"));
  }

  void errorsCarryTheChildsMessage() {
    // A model file that is missing or damaged is bad input (ConfigError) naming the file.
    try {
      TokenizerClient("/no/such.model", AUTOMOE_TOKENIZER).encode({"x"});
      QFAIL("expected an error");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).startsWith("/no/such.model: not a usable tokenizer model (missing, damaged or truncated): "),
               e.what());
    }
    std::string bytes;
    {
      std::ifstream in(m_model, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    const std::string cut = m_dir.filePath("cut.model").toStdString();
    std::ofstream(cut, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() / 2);
    try {
      TokenizerClient(cut, AUTOMOE_TOKENIZER).encode({"x"});
      QFAIL("expected an error");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(cut + ": not a usable tokenizer model")), e.what());
    }
    try {
      TokenizerClient(m_model, AUTOMOE_TOKENIZER).decode({{5, 999}});
      QFAIL("expected an error");
    } catch (const std::runtime_error& e) {
      QVERIFY2(QString(e.what()).contains("id 999 outside the vocabulary"), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             TokenizerClient(m_model, "/no/such/automoe-tokenizer").encode({"x"}));
  }
};

QTEST_APPLESS_MAIN(TestTokenizerClient)
#include "test_tokenizer_client.moc"
