// Binarised shards round trip through the memory-mapped TokenDataset; damaged shards are
// reported with the file name.
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <filesystem>

#include "data/binarizer.h"
#include "data/token_dataset.h"
#include "util/atomic_file.h"
#include "util/config_error.h"

using namespace automoe;

class TestTokenDataset final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  const std::vector<std::vector<int32_t>> m_src{{4, 5, 6}, {}, {7}, {8, 9, 10, 11, 12}};
  const std::vector<std::vector<int32_t>> m_tgt{{13}, {14, 15}, {}, {16, 17}};

  std::string dir() const { return m_dir.path().toStdString(); }

 private Q_SLOTS:
  void initTestCase() {
    const ShardStats s = Binarizer::writeShard(dir() + "/train.src", m_src);
    Binarizer::writeShard(dir() + "/train.tgt", m_tgt);
    QCOMPARE(s.sentences, int64_t{4});
    QCOMPARE(s.tokens, int64_t{9});
    QCOMPARE(s.maxLength, int64_t{5});
    QCOMPARE(std::filesystem::file_size(dir() + "/train.src.bin"), uintmax_t{9 * 4});
    QCOMPARE(std::filesystem::file_size(dir() + "/train.src.idx"), uintmax_t{5 * 8});
  }

  void roundTrip() {
    const TokenDataset d = TokenDataset::open(dir(), "train");
    QCOMPARE(d.size(), size_t{4});
    for (size_t i = 0; i < d.size(); ++i) {
      const TokenSpan s = d.source(i), t = d.target(i);
      QCOMPARE(std::vector<int32_t>(s.begin(), s.end()), m_src[i]);
      QCOMPARE(std::vector<int32_t>(t.begin(), t.end()), m_tgt[i]);
    }
    QCOMPARE(d.lengths(), (std::vector<int64_t>{4, 3, 2, 6}));  // max(src, tgt) + EOS
    d.checkIds(18);
    QVERIFY_THROWS_EXCEPTION(ConfigError, d.checkIds(17));
    TokenDataset moved = std::move(const_cast<TokenDataset&>(d));
    QCOMPARE(moved.source(3).size, size_t{5});
  }

  void damagedShardsNameTheFile() {
    QDir(m_dir.path()).mkdir("bad");
    const std::string bad = dir() + "/bad";
    Binarizer::writeShard(bad + "/x.src", m_src);
    Binarizer::writeShard(bad + "/x.tgt", {{1}, {2}});  // 2 sentences, source has 4
    QVERIFY_THROWS_EXCEPTION(ConfigError, TokenDataset::open(bad, "x"));
    std::string idx = readTextFile(bad + "/x.src.idx");
    writeFileAtomically(bad + "/x.src.idx", idx.substr(0, idx.size() - 3));
    try {
      TokenDataset::open(bad, "x");
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).contains("x.src.idx: truncated"), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(ConfigError, TokenDataset::open(bad, "missing"));
  }
};

QTEST_APPLESS_MAIN(TestTokenDataset)
#include "test_token_dataset.moc"
