// nmt export --model DIR --onnx OUT: the inference models as ONNX, with the
// vocabularies, for ONNX Runtime (see onnx_export.hpp).

#include <ostream>

#include "examples/nmt/commands.hpp"
#include "examples/nmt/onnx_export.hpp"

namespace nmt {

int run_export(const ExportOptions& o, std::ostream& out, std::ostream& log) {
  const TrainedModel trained = load_model_dir(o.model_dir, {.strict = true, .warnings = &log});
  export_onnx_dir(trained, o.onnx_dir);
  out << "wrote " << o.onnx_dir << "/{" << onnx_encoder_file << ", " << onnx_decoder_step_file << ", " << config_file
      << ", " << english_vocab_file << ", " << french_vocab_file << "}\n";
  return exit_ok;
}

}  // namespace nmt
