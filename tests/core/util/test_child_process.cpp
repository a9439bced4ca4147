// runChild: no shell, large input and output through pipes without deadlock, stderr and exit
// codes, a missing program, and termination through a StopToken.
#include <QtTest/QtTest>
#include <csignal>

#include "util/child_process.h"
#include "util/stop_token.h"

using namespace automoe;

class TestChildProcess final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void pipesLargeDataBothWays() {
    std::string input;
    for (int i = 0; i < 200000; ++i) input += "line " + std::to_string(i) + "\n";  // ~2.3 MB
    ChildOptions o;
    o.input = input;
    const ChildResult r = runChild({"cat"}, o);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.size(), input.size());
    QVERIFY(r.out == input);
  }

  void argumentsAreNotInterpretedByAShell() {
    const ChildResult r = runChild({"printf", "%s|", "a b", "$HOME", "*"});
    QCOMPARE(r.out, std::string("a b|$HOME|*|"));
  }

  void reportsStderrAndExitCode() {
    const ChildResult r = runChild({"ls", "/no/such/path"});
    QVERIFY(r.exitCode != 0);
    QVERIFY(r.err.find("/no/such/path") != std::string::npos);
    ChildOptions o;
    o.workingDirectory = "/";
    QCOMPARE(runChild({"pwd"}, o).out, std::string("/\n"));
    o.extraEnvironment = {"AUTOMOE_CHILD_TEST=42"};
    QCOMPARE(runChild({"printenv", "AUTOMOE_CHILD_TEST"}, o).out, std::string("42\n"));
    qputenv("AUTOMOE_CHILD_TEST", "ours");  // an extra entry replaces our value of the same name
    QCOMPARE(runChild({"printenv", "AUTOMOE_CHILD_TEST"}, o).out, std::string("42\n"));
    qunsetenv("AUTOMOE_CHILD_TEST");
  }

  void missingProgramThrows() {
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, runChild({"/no/such/program"}));
    QCOMPARE(describeCommand({"apt-get", "-o", "A=b c"}), std::string("apt-get -o 'A=b c'"));
  }

  void stopTokenTerminatesTheChild() {
    StopToken stop;
    stop.requestStop();
    ChildOptions o;
    o.stop = &stop;
    const ChildResult r = runChild({"sleep", "30"}, o);
    QVERIFY(r.stopped);
    QCOMPARE(r.exitCode, 128 + SIGTERM);
  }
};

QTEST_APPLESS_MAIN(TestChildProcess)
#include "test_child_process.moc"
