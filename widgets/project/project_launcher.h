#pragma once
// Opens project files as workbench windows: from a path, from a file dialog, or from the recent
// list (File menu). A file that does not load is reported in a message box naming the file and
// the field at fault, and the window already open stays as it was; one that loads replaces the
// window it was asked from (the new window is shown first, then the old one closes). Every
// project opened goes to the front of RecentProjects.
#include <QObject>
#include <QPointer>
#include <QString>
#include <optional>

#include "project/project.h"

class QWidget;

namespace automoe::widgets {

class MainWindow;

class ProjectLauncher : public QObject {
  Q_OBJECT

 public:
  explicit ProjectLauncher(QObject* parent = nullptr);

  // The project at `path`, or std::nullopt with the reason (file, field, what is wrong) in `error`.
  static std::optional<Project> load(const QString& path, QString* error);
  // Where the file dialog starts: the folder of the last project opened, else the current one.
  static QString startFolder();

  // Opens `project` (loaded from `path`) in a new window that replaces `replacing` (may be null).
  MainWindow* show(Project project, MainWindow* replacing = nullptr);
  // Loads `path` and shows it; on failure an error box over `replacing` and nullptr.
  MainWindow* open(const QString& path, MainWindow* replacing = nullptr);
  // Asks for a project file until one loads (nullptr when the dialog is cancelled).
  MainWindow* chooseAndOpen(MainWindow* replacing = nullptr);

  // The window shown last (null once it has closed).
  MainWindow* window() const { return m_window; }
  // Windows save and restore their geometry (the app turns it on; tests leave it off).
  void setPersistentSettings(bool on) { m_persist = on; }
  // The error box (objectName "projectErrorBox") saying that `path` cannot be opened and why;
  // returns once it is closed.
  static void showError(QWidget* parent, const QString& path, const QString& error);

 Q_SIGNALS:
  void windowShown(automoe::widgets::MainWindow* window);

 private:
  QPointer<MainWindow> m_window;
  bool m_persist = false;
};

}  // namespace automoe::widgets
