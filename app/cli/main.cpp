// automoe: the headless command-line front end. All work is done by core; this file only
// dispatches to the command implementations in this directory.
#include "cli_app.h"

int main(int argc, char** argv) { return automoe::cli::runCli(argc, argv); }
