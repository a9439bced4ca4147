// automoe-workbench: the Qt front end. Parses the command line, loads the project and opens the
// main window; all work is done by core and widgets.
//
//   automoe-workbench [PROJECT] [--seed N] [--tab architecture|training|latency|search|model|pipeline]
//                     [--screenshot FILE.png] [--no-dialogs]
//
// Without PROJECT (as the desktop menu starts it) a file dialog asks for one, starting in the last
// project's folder; cancelling it quits. A PROJECT that does not load exits 2 with a message naming
// the file and field on stderr, as the command line tool does, and (started from a desktop, where
// nobody reads stderr) in an error box first; --screenshot and --no-dialogs leave the box out.
#include <QApplication>
#include <QCommandLineParser>
#include <QTabWidget>
#include <QTimer>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "main_window.h"
#include "project/project_launcher.h"
#include "project/project.h"
#include "util/blas_tuner.h"
#include "util/heavy_process_launch.h"

namespace {

constexpr int kUsageError = 2;

int fail(const QString& message) {
  std::fprintf(stderr, "automoe-workbench: %s\n", qPrintable(message));
  return kUsageError;
}

}  // namespace

int main(int argc, char** argv) {
  // Training runs in this process (the Training tab): it starts as `automoe train` does, with the
  // checked faster BLAS kernel and the OpenMP and heap settings read at load time (a re-exec;
  // AUTOMOE_BLAS=default keeps the default kernel). Not for a screenshot, --help or --version.
  if (automoe::answerBlasSelfTest(argc, argv)) return 0;
  bool quick = false;
  for (int i = 1; i < argc; ++i)
    for (const char* flag : {"--screenshot", "-h", "--help", "-v", "--version"})
      quick = quick || std::strcmp(argv[i], flag) == 0 || std::strncmp(argv[i], "--screenshot=", 13) == 0;
  const char* blas = std::getenv("AUTOMOE_BLAS");
  if (!quick) automoe::launchAsHeavyProcess(argc, argv, blas && std::strcmp(blas, "default") == 0);

  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("AutoMoE"));
  QApplication::setApplicationName(QStringLiteral("automoe-workbench"));
  QApplication::setApplicationVersion(QStringLiteral(AUTOMOE_VERSION));

  QCommandLineParser parser;
  parser.setApplicationDescription(
      QStringLiteral("AutoMoE Workbench: neural architecture search over sparse Mixture-of-Experts "
                     "Transformers."));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(QStringLiteral("PROJECT"),
                               QStringLiteral("Project file (.json); without it, a file dialog asks for one."),
                               QStringLiteral("[PROJECT]"));
  const QCommandLineOption screenshot(
      QStringLiteral("screenshot"),
      QStringLiteral("Render the window off-screen to FILE (PNG) and exit."),
      QStringLiteral("FILE"));
  const QCommandLineOption seed(QStringLiteral("seed"),
                                QStringLiteral("Show the subnet sampled with seed N (default: the "
                                               "project's seed)."),
                                QStringLiteral("N"));
  const QCommandLineOption size(QStringLiteral("size"),
                                QStringLiteral("Window size for --screenshot (default 1500x920)."),
                                QStringLiteral("WxH"), QStringLiteral("1500x920"));
  const QCommandLineOption tab(
      QStringLiteral("tab"),
      QStringLiteral("The tab shown first: architecture (default), training, latency, search, model or pipeline."),
      QStringLiteral("NAME"), QStringLiteral("architecture"));
  const QCommandLineOption noDialogs(
      QStringLiteral("no-dialogs"),
      QStringLiteral("A PROJECT that does not load is reported on stderr only (exit 2 at once), without an error "
                     "box; --screenshot implies it."));
  parser.addOptions({screenshot, seed, size, tab, noDialogs});
  parser.process(app);  // --help / --version / unknown options exit here

  const QStringList args = parser.positionalArguments();
  if (args.size() > 1) return fail(QStringLiteral("expected one PROJECT argument, got %1").arg(args.size()));
  if (args.isEmpty() && parser.isSet(screenshot))
    return fail(QStringLiteral("--screenshot needs a PROJECT argument (see --help)"));
  bool seedOk = true;
  const quint64 seedValue = parser.isSet(seed) ? parser.value(seed).toULongLong(&seedOk) : 0;
  if (!seedOk)
    return fail(QStringLiteral("--seed: not a non-negative integer: %1").arg(parser.value(seed)));

  const QStringList wh = parser.value(size).split(QLatin1Char('x'));
  const int width = wh.size() == 2 ? wh[0].toInt() : 0, height = wh.size() == 2 ? wh[1].toInt() : 0;
  if (width < 200 || height < 150 || width > 8000 || height > 8000)
    return fail(
        QStringLiteral("--size: expected WxH such as 1500x920, got %1").arg(parser.value(size)));

  const QStringList tabs = {QStringLiteral("architecture"), QStringLiteral("training"), QStringLiteral("latency"),
                           QStringLiteral("search"),       QStringLiteral("model"),    QStringLiteral("pipeline")};
  const int tabIndex = static_cast<int>(tabs.indexOf(parser.value(tab)));
  if (tabIndex < 0)
    return fail(QStringLiteral("--tab: expected architecture, training, latency, search, model or pipeline, got %1")
                    .arg(parser.value(tab)));

  if (parser.isSet(screenshot)) {
    QString error;
    std::optional<automoe::Project> project = automoe::widgets::ProjectLauncher::load(args.front(), &error);
    if (!project) return fail(error);
    automoe::widgets::MainWindow window(std::move(*project));
    if (parser.isSet(seed)) window.sampleWithSeed(seedValue);
    window.tabs()->setCurrentIndex(tabIndex);
    const QString file = parser.value(screenshot);
    window.resize(width, height);
    window.show();
    int rc = 0;
    QTimer::singleShot(300, &window, [&window, &rc, file] {
      if (!window.grab().save(file, "PNG")) {
        std::fprintf(stderr, "automoe-workbench: cannot write %s\n", qPrintable(file));
        rc = 1;
      }
      QApplication::exit(rc);
    });
    return QApplication::exec();
  }

  automoe::widgets::ProjectLauncher launcher;
  launcher.setPersistentSettings(true);
  automoe::widgets::MainWindow* window = nullptr;
  if (args.isEmpty()) {
    window = launcher.chooseAndOpen();
    if (!window) return 0;  // the dialog was cancelled
  } else {
    QString error;
    std::optional<automoe::Project> project = automoe::widgets::ProjectLauncher::load(args.front(), &error);
    if (!project) {
      const int rc = fail(error);  // stderr first: a script sees it while the box is up
      if (!parser.isSet(noDialogs)) automoe::widgets::ProjectLauncher::showError(nullptr, args.front(), error);
      return rc;
    }
    window = launcher.show(std::move(*project));
  }
  if (parser.isSet(seed)) window->sampleWithSeed(seedValue);
  window->tabs()->setCurrentIndex(tabIndex);
  return QApplication::exec();
}
