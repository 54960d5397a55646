#pragma once
// The three subcommands of `nmt`. Each returns the process exit code; a
// kiln::Error escaping one is a runtime failure that main reports (exit 1).

#include <istream>
#include <ostream>

#include "examples/nmt/cli.hpp"

namespace nmt {

// Trains, saves the model directory, prints test translations and scores to `out`.
int run_train(const TrainOptions& options, std::ostream& out);

// English lines from `in` to French lines on `out`; notes and warnings go to `log`.
int run_translate(const TranslateOptions& options, std::istream& in, std::ostream& out, std::ostream& log);

// Scores on `out`, progress notes on `log`.
int run_evaluate(const EvaluateOptions& options, std::ostream& out, std::ostream& log);

// Writes the ONNX directory (onnx_export.hpp); what was written on `out`.
int run_export(const ExportOptions& options, std::ostream& out, std::ostream& log);

}  // namespace nmt
